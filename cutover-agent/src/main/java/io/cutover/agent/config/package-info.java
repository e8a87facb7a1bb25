/** The agent's configuration file (YAML), validated on load. */
package io.cutover.agent.config;
