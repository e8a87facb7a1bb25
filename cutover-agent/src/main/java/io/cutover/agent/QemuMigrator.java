package io.cutover.agent;

import io.cutover.agent.config.QemuConfig;
import io.cutover.agent.plan.CutoverPlan;
import io.cutover.agent.plan.Threads;
import io.cutover.api.CutoverListener;
import io.cutover.api.CutoverStage;
import io.cutover.api.GuestState;
import io.cutover.api.HypervisorMigration;
import io.cutover.api.MigrationRequest;
import io.cutover.qemu.IncomingMigration;
import io.cutover.qemu.QemuHypervisor;
import io.cutover.qemu.QemuOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * This host's QEMU guests, migrated by QEMU itself and driven over QMP ({@code qemu} in {@code host.yaml}).
 *
 * <p>As a source it migrates a cutover's guest with {@code pause-before-switchover}: the plan hears every stage up to
 * the switchover, and while the guest is paused the plan's SWITCHOVER steps run in this process, fired by QEMU's
 * {@code pre-switchover} event with no other hop; QEMU finishes once they are done, or the migration is cancelled and
 * the guest runs on here. As a destination it points the incoming QEMU (started by the orchestrator with {@code
 * -incoming defer}) at the stream and tells whoever asked when the guest resumes here (QEMU's RESUME): the blackout's
 * end, the plan's ACTIVATED.
 */
public final class QemuMigrator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QemuMigrator.class);

    private final QemuHypervisor hypervisor;
    private final Map<String, Incoming> incoming = new ConcurrentHashMap<>();
    /** Where RESUME is reported: never on QMP's event thread, which must keep reading QEMU's events. */
    private final ExecutorService reports = Threads.prestarted("qemu-resume-reports", 1);

    public QemuMigrator(QemuConfig config) {
        this.hypervisor = new QemuHypervisor(config.socketDir(), new QemuOptions(config.commandTimeout(),
                config.switchoverBudget(), QemuOptions.DEFAULT_MAX_BANDWIDTH));
    }

    /** The state of guest {@code vm} here, or empty when this host has no QMP socket for it. */
    public Optional<GuestState> state(String vm) {
        return hypervisor.state(vm);
    }

    /**
     * Requires guest {@code vm} to be in {@code expected} here, as a pre-check.
     *
     * @throws PrecheckFailedException otherwise, or when its QEMU does not answer
     */
    public void requireState(String vm, GuestState expected) {
        GuestState state;
        try {
            state = hypervisor.state(vm).orElseThrow(() -> new PrecheckFailedException("no QEMU guest " + vm
                    + " here: no QMP socket " + hypervisor.socketOf(vm)));
        } catch (RuntimeException e) {
            if (e instanceof PrecheckFailedException) {
                throw e;
            }
            throw new PrecheckFailedException("the QEMU of guest " + vm + " does not answer: " + e.getMessage(), e);
        } finally {
            hypervisor.forget(vm);
        }
        if (state != expected) {
            throw new PrecheckFailedException("the QEMU guest " + vm + " is " + state + " here, not " + expected);
        }
    }

    /**
     * Migrates the cutover's guest as its request says. The plan hears PLANNED, PRECOPY and SWITCHOVER from QEMU's
     * events and runs SWITCHOVER's steps with the guest paused; the rest of the plan is the caller's to drive, from
     * the destination's RESUME and the returned migration's result.
     */
    public HypervisorMigration migrate(Cutover cutover) {
        CutoverPlan plan = cutover.plan();
        MigrationRequest request = cutover.request().migrator().qemu().request(cutover.id(), cutover.request().vm());
        CutoverListener untilSwitchover = event -> switch (event.stage()) {
            case PLANNED, PRECOPY -> plan.advance(event.stage());
            case SWITCHOVER -> {
                plan.timeline().addAt(event.nanoTime(), "vm.pause", "done", "QEMU's pre-switchover");
                yield plan.advance(event.stage());
            }
            default -> {
                plan.timeline().addAt(event.nanoTime(), "qemu", event.stage().name().toLowerCase(java.util.Locale.ROOT),
                        "at the source");
                yield CompletableFuture.completedFuture(null);
            }
        };
        return hypervisor.migrate(request, untilSwitchover, switchover -> plan.advance(CutoverStage.SWITCHOVER));
    }

    /**
     * Points this host's incoming QEMU for {@code vm} at the stream; {@code resumed} hears the
     * {@link System#nanoTime()} at which the guest resumed here, on a thread of its own.
     *
     * @throws PrecheckFailedException the guest is not waiting for a migration here
     */
    public void prepareIncoming(String id, String vm, CutoverRequest.Qemu settings, Consumer<Long> resumed) {
        requireState(vm, GuestState.INCOMING);
        IncomingMigration migration = hypervisor.prepareIncoming(settings.request(id, vm), settings.uri());
        forgetIncoming(id);
        incoming.put(id, new Incoming(vm, migration));
        migration.activated().whenCompleteAsync((nanos, error) -> {
            forgetIncoming(id);
            if (error != null) {
                LOG.warn("cutover {}: the incoming migration of {} failed: {}", id, vm, error.getMessage());
            } else {
                LOG.info("cutover {}: {} resumed here", id, vm);
                resumed.accept(nanos);
            }
        }, reports);
    }

    /**
     * Stops waiting for cutover {@code id}'s incoming guest (it resumed, or its cutover ended) and lets go of its QMP
     * socket; does nothing to the guest.
     */
    public void forgetIncoming(String id) {
        Incoming waiting = incoming.remove(id);
        if (waiting != null) {
            waiting.migration().close();
            hypervisor.forget(waiting.vm());
        }
    }

    /** Lets go of guest {@code vm}'s QMP socket, so that its orchestrator can use it again. */
    public void release(String vm) {
        hypervisor.forget(vm);
    }

    @Override
    public void close() {
        incoming.values().forEach(waiting -> waiting.migration().close());
        incoming.clear();
        reports.shutdownNow();
        hypervisor.close();
    }

    /** An incoming guest waited for. */
    private record Incoming(String vm, IncomingMigration migration) {
    }
}
