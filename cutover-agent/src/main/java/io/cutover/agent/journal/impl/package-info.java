/** The cutover journals: in memory (an agent alone) and on the replicated store (agents that share one). */
package io.cutover.agent.journal.impl;
