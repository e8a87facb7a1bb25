package io.cutover.agent.evacuation;

import io.cutover.agent.CutoverRequest;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/** What moves one VM for an evacuation: a cutover, from its creation to its end. */
@FunctionalInterface
public interface Mover {
    /**
     * Runs one cutover and returns once it has ended; on the calling thread, which may block.
     *
     * @param created hears the cutover's id once it was created
     * @throws RuntimeException the cutover was refused (a pre-check, or its PLANNED steps rolled back)
     */
    Moved move(CutoverRequest request, Consumer<String> created);

    /**
     * How a cutover ended.
     *
     * @param outcome  {@link VmMove.Outcome#COMPLETED}, {@link VmMove.Outcome#UNVERIFIED}, {@link
     *                 VmMove.Outcome#ROLLED_BACK} or {@link VmMove.Outcome#UNFINISHED}
     * @param failure  why it did not complete (or was not verified), or {@code null}
     * @param downtime QEMU's downtime of the guest, if known
     */
    record Moved(VmMove.Outcome outcome, String failure, Optional<Duration> downtime) {
    }
}
