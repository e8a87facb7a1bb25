/** Where the agent keeps each cutover's plan state, so that a restarted agent or a peer can finish or undo it. */
package io.cutover.agent.journal;
