package io.cutover.api;

import java.util.Optional;

/**
 * The SPI of whatever runs a host's guests and migrates them: QEMU driven over QMP, libvirt, or cutover's own
 * page-transfer migrator. The cutover plan asks it where a VM is and starts the migration; the hypervisor reports
 * the cutover's stages to the plan as they happen and holds the switchover for the plan's steps when it can.
 */
public interface Hypervisor extends AutoCloseable {

    /** A short name for reports and logs: {@code qemu}, {@code libvirt}, {@code built-in}. */
    String name();

    /**
     * Whether this hypervisor pauses the guest at the switchover and waits for {@link SwitchoverGate} before it lets
     * the guest run at the destination (QEMU's {@code pause-before-switchover}). One that cannot leaves the blackout
     * unprotected: packets reaching the source while the guest is paused are not held. It still calls the gate at
     * the switchover, but goes on without waiting for it, and a gate that fails does not cancel the migration.
     */
    boolean holdsSwitchover();

    /** The state of the VM named {@code vm} on this host, or empty when this hypervisor does not run it. */
    Optional<GuestState> state(String vm);

    /**
     * Starts migrating {@code request}'s VM to the destination it names. Every stage is reported to {@code listener},
     * in order; at the switchover {@code gate} runs with the guest paused, waited for when {@link #holdsSwitchover()}.
     */
    HypervisorMigration migrate(MigrationRequest request, CutoverListener listener, SwitchoverGate gate);

    /** Lets go of the hypervisor's connections; the guests keep running. */
    @Override
    void close();
}
