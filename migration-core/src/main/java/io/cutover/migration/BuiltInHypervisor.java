package io.cutover.migration;

import io.cutover.api.CutoverListener;
import io.cutover.api.GuestState;
import io.cutover.api.Hypervisor;
import io.cutover.api.HypervisorMigration;
import io.cutover.api.MigrationRequest;
import io.cutover.api.SwitchoverGate;
import io.cutover.migration.impl.BuiltInMigration;
import io.cutover.support.HostPort;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The built-in migrator ({@link LiveMigration}) behind the {@link Hypervisor} SPI, at the source: the guests
 * {@linkplain #host hosted} here by name migrate to a {@link MigrationTarget} at the request's {@code HOST:PORT}.
 *
 * <p>The built-in migrator does not hold the switchover: it pauses the guest, raises SWITCHOVER and goes straight on
 * to send the last pages and commit. So {@link #holdsSwitchover()} is false, and the gate is only notified: it is
 * called with the SWITCHOVER event, on the migration's thread after the listener, while the guest is paused here;
 * its stage is not waited for and its failure is logged, not acted on. (The migrator can hold the pause itself until
 * the listeners of PLANNED are done: {@link MigrationOptions.Builder#holdSwitchover}.)
 *
 * <p>A request's downtime limit and bandwidth, when it gives them, its channels, auto-converge and post-copy
 * (allowed over one channel only) override the options this hypervisor was made with. Events carry the request's
 * migration id; a migration's figures are its {@link MigrationProgress}; its result fails with the
 * {@link MigrationException} of the migrator.
 *
 * <p>Guests remain their owner's to close: a guest that moved away stays here, paused, and reports
 * {@link GuestState#STOPPED}. Guests that arrive at a {@link MigrationTarget} are not hosted by name (the migration
 * stream carries a guest's descriptor, not its name).
 */
public final class BuiltInHypervisor implements Hypervisor {
    /** This hypervisor's {@link #name()}. */
    public static final String NAME = "built-in";

    private final MigrationOptions options;
    private final Map<String, Hosted> guests = new ConcurrentHashMap<>();

    /** @param options how guests migrate, where a request does not say otherwise */
    public BuiltInHypervisor(MigrationOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Hosts {@code guest} as {@code vm}: {@link #state} reports it and {@link #migrate} may move it. The name of a
     * guest that moved away may be taken again.
     *
     * @throws IllegalStateException if a guest is hosted as {@code vm} and has not moved away
     */
    public void host(String vm, Guest guest) {
        Hosted fresh = new Hosted(Objects.requireNonNull(guest, "guest"));
        guests.compute(Objects.requireNonNull(vm, "vm"), (name, old) -> {
            if (old != null && old.state() != GuestState.STOPPED) {
                throw new IllegalStateException("a guest is already hosted as " + name);
            }
            return fresh;
        });
    }

    @Override
    public String name() {
        return NAME;
    }

    /** False: the built-in migrator does not wait for the gate (see the class comment). */
    @Override
    public boolean holdsSwitchover() {
        return false;
    }

    @Override
    public Optional<GuestState> state(String vm) {
        return Optional.ofNullable(guests.get(vm)).map(Hosted::state);
    }

    /**
     * @throws IllegalArgumentException if no guest is hosted as the request's VM, it does not run, the destination is
     *                                  not {@code HOST:PORT} or the request's figures do not make valid options
     * @throws IllegalStateException    if the VM is migrating already or has moved away
     */
    @Override
    public HypervisorMigration migrate(MigrationRequest request, CutoverListener listener, SwitchoverGate gate) {
        InetSocketAddress destination = HostPort.parseRemote("destination", request.destination()).socketAddress();
        MigrationOptions chosen = options(options, request);
        Hosted hosted = guests.get(request.vm());
        if (hosted == null) {
            throw new IllegalArgumentException("no guest is hosted as " + request.vm());
        }
        hosted.startMigrating(request.vm());
        try {
            BuiltInMigration migration = BuiltInMigration.start(request.migrationId(), hosted.guest, destination, chosen,
                    listener, gate);
            migration.result().whenComplete((figures, error) -> hosted.migrationEnded(error == null || movedAway(error)));
            return migration;
        } catch (RuntimeException e) {
            hosted.migrationEnded(false);
            throw e;
        }
    }

    /** The options of {@code request}'s migration: {@code base}, with what the request says instead. */
    static MigrationOptions options(MigrationOptions base, MigrationRequest request) {
        MigrationOptions.Builder chosen = base.toBuilder()
                .channels(request.channels())
                .autoConverge(request.autoConverge())
                .postCopy(request.postCopyAllowed() && request.channels() == 1);
        request.downtimeLimit().ifPresent(chosen::downtimeLimit);
        request.maxBandwidth().ifPresent(chosen::maxBandwidth);
        return chosen.build();
    }

    /** Whether a failed migration left the guest to the destination (it failed after the commit). */
    private static boolean movedAway(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof MigrationException failed && !failed.sourceResumed();
    }

    /** Nothing to let go of: migrations under way run on to their end, and the guests are their owners'. */
    @Override
    public void close() {
    }

    /** A guest hosted here, and where its migrations left it. */
    private static final class Hosted {
        final Guest guest;
        private boolean migrating;
        private boolean movedAway;

        Hosted(Guest guest) {
            this.guest = guest;
        }

        synchronized GuestState state() {
            if (movedAway) {
                return GuestState.STOPPED;
            }
            return guest.isRunning() ? GuestState.RUNNING : GuestState.PAUSED;
        }

        synchronized void startMigrating(String vm) {
            if (movedAway) {
                throw new IllegalStateException(vm + " has moved away");
            }
            if (migrating) {
                throw new IllegalStateException(vm + " is migrating already");
            }
            migrating = true;
        }

        synchronized void migrationEnded(boolean away) {
            migrating = false;
            movedAway = away;
        }
    }
}
