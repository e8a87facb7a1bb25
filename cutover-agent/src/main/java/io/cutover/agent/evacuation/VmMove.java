package io.cutover.agent.evacuation;

import java.time.Duration;
import java.util.Optional;

/**
 * One VM's move in an evacuation.
 *
 * @param vm          the VM's name
 * @param destination the host it moves to, or {@code null} while it waits for its turn
 * @param cutover     its cutover's id at this agent, or {@code null} while none was created
 * @param outcome     where the move stands
 * @param failure     why it did not complete (the cutover's failure, or the refusal), or {@code null}
 * @param duration    from the cutover's creation to its end (to now while it runs), or {@code null} before it started
 * @param downtime    QEMU's downtime of the guest, when QEMU migrated it and reported it
 */
public record VmMove(String vm, String destination, String cutover, Outcome outcome, String failure,
                     Duration duration, Optional<Duration> downtime) {

    /** Where a VM's move stands. */
    public enum Outcome {
        /** Its turn has not come: {@code parallel} cutovers are in flight. */
        WAITING,
        /** Its cutover runs. */
        RUNNING,
        /** Its cutover completed: the VM runs at the destination. */
        COMPLETED,
        /** Its cutover completed, but the VM did not answer at the destination when asked (the stage UNVERIFIED). */
        UNVERIFIED,
        /** Its cutover failed and was rolled back: the VM runs on at the source. */
        ROLLED_BACK,
        /** Its cutover was refused before anything moved (a pre-check, a PLANNED step that was rolled back). */
        REFUSED,
        /** Its cutover did not end within the evacuation's limit for one move; it goes on, at the agent. */
        UNFINISHED;

        /** Whether the move has ended. */
        public boolean ended() {
            return this != WAITING && this != RUNNING;
        }
    }
}
