package io.cutover.agent.plan;

/**
 * One line of a cutover's timeline.
 *
 * @param atMicros microseconds since the plan was created (monotonic clock)
 * @param what     the stage or step
 * @param event    what happened to it: {@code stage}, {@code start}, {@code done}, {@code failed}, {@code rolled-back}
 * @param detail   an error message, or empty
 */
public record TimelineEntry(long atMicros, String what, String event, String detail) {
}
