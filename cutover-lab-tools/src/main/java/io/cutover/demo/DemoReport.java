package io.cutover.demo;

import io.cutover.agent.plan.TimelineEntry;

import java.util.List;
import java.util.Map;

/**
 * What the demo measured of one cutover.
 *
 * @param guest          what moved: {@code namespace} (the pretend VM, whose kernel answers while it is "paused") or
 *                       {@code qemu …} (a real guest: accelerator and memory)
 * @param mode           lan or wan
 * @param blackoutMillis the guest ran nowhere (pause → resume at the destination), as the migrator measured
 * @param gapMillis      the client's network gap across the cutover: last echo before the blackout → first
 *                       echo after it (silences elsewhere, such as a starved CPU during pre-copy, are in
 *                       {@code udp.gapMillis()} only)
 * @param udp            what the client's probes saw
 * @param lostInCutover  probes lost among those sent from SWITCHOVER (for a QEMU guest: from the hold's reach back
 *                       before QEMU's pause) until the tunnel's flush was done: the
 *                       cutover's own share of {@code udp.lost()} (the rest were lost to something else, such as
 *                       a starved CPU during pre-copy)
 * @param vmReceived     probes that reached the VM's service (the rest were lost on the way there); null where the
 *                       guest does not count them (QEMU)
 * @param switchDrops    packets the switches' OpenFlow tables dropped (no flow, or only their own in_port) from
 *                       the migration's start until after the brownout: Open vSwitch's {@code drop_action_of_pipeline}
 * @param guestDropped   frames the switches handed to the guest's ports that its taps dropped because the guest did
 *                       not read them (its QEMU's receive ring full: a guest too slow to take them, as a starved TCG
 *                       guest just resumed is): lost at the guest, not in the network; null where not counted
 *                       (the namespace VM)
 * @param guestCrashed   whether the moved guest's QEMU had exited by the end of the move (its kernel panicked: the
 *                       lab's guests run with {@code panic=-1} and {@code -no-reboot}; the timeline has its last words)
 * @param tcpSurvived    whether the client's long-lived TCP connection kept working
 * @param tcpExchanged   messages the TCP connection exchanged
 * @param memoryVerified whether the destination's memory was verified identical to the source's; null where the
 *                       hypervisor moved it without cutover's check (QEMU)
 * @param dnsAnswer      WAN: what the lab's DNS server answers for the VM's name after the move; LAN: empty
 * @param tunnel         the forwarders' counters for the move ({@code source.held}, {@code destination.injected},
 *                       {@code source.drop.HOLD_OVERFLOW}...)
 * @param timeline       when each stage and step ran
 * @param heldDelayMillis the 99th percentile of how long after the guest resumed the probes sent while it was
 *                       stopped were answered: how late the cutover delivered what it held
 */
public record DemoReport(String guest, String mode, double blackoutMillis, double gapMillis, UdpProbeResult udp,
                         long lostInCutover, Long vmReceived, long switchDrops, Long guestDropped, boolean guestCrashed, boolean tcpSurvived,
                         long tcpExchanged, Boolean memoryVerified, String dnsAnswer,
                         Map<String, Long> tunnel, List<TimelineEntry> timeline, double heldDelayMillis) {

    /** Whether nothing went wrong: no probe lost, the TCP connection alive, the memory not found different. */
    public boolean clean() {
        return udp.lost() == 0 && tcpSurvived && !Boolean.FALSE.equals(memoryVerified);
    }
}
