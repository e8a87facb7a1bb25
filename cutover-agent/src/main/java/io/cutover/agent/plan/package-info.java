/** The cutover plan: ordered steps per stage, each with its rollback, and the timeline they leave. */
package io.cutover.agent.plan;
