/** Host evacuation: every VM of a host moved to other hosts, one cutover each, a bounded number at once. */
package io.cutover.agent.evacuation;
