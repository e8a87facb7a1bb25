/** The agent's REST API under /v1 (Vert.x Web): cutovers, phase hooks, memory claims, the event stream. */
package io.cutover.agent.rest;
