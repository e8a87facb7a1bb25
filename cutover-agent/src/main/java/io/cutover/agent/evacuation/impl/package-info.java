/** The evacuation's scheduling over the agent's cutovers. */
package io.cutover.agent.evacuation.impl;
