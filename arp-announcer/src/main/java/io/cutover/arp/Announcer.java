package io.cutover.arp;

import io.cutover.arp.impl.PcapAnnouncer;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Sends a VM's announcements on one interface. Only addresses on the announcer's {@link AllowList} are ever
 * announced. The first frame leaves in the calling thread when the gate is open; later rounds leave from the
 * announcer's own thread.
 *
 * <pre>{@code
 * try (Announcer announcer = Announcer.pcap("eth0", AllowList.of(vmAddresses))) {
 *     announcer.announce(Announcement.of(mac, vmAddresses), Schedule.qemu(), ReadinessGate.on(sdnCommit))
 *             .toCompletableFuture().join();
 * }
 * }</pre>
 */
public interface Announcer extends AutoCloseable {

    /**
     * An announcer that sends with Pcap4J (libpcap) on {@code iface}. Open it in the network namespace
     * of that interface; the handle stays there.
     *
     * @throws IllegalArgumentException       no such interface
     * @throws AnnouncerUnavailableException  libpcap missing, or not permitted to open a raw handle
     */
    static Announcer pcap(String iface, AllowList allowList) {
        return PcapAnnouncer.open(iface, allowList);
    }

    /**
     * An announcer whose frames go to {@code sender} rather than out of an interface: where the frames must enter the
     * network at the VM's own port (an OpenFlow packet-out on its new switch) and no interface of this host is that
     * port. It receives nothing, so its probes never hear an answer.
     *
     * @param name names the announcer in logs and reports, as an interface's name would
     */
    static Announcer through(String name, FrameSender sender, AllowList allowList) {
        return PcapAnnouncer.through(name, sender, allowList);
    }

    /**
     * Starts an announcement: waits at {@code gate}, then sends every frame of {@code announcement} once per
     * round of {@code schedule}.
     *
     * @throws AddressNotAllowedException when an address is not on the allow-list (nothing is sent)
     */
    Announcing start(Announcement announcement, Schedule schedule, ReadinessGate gate);

    /** {@link #start} and its {@link Announcing#done()}. */
    default CompletionStage<AnnounceReport> announce(Announcement announcement, Schedule schedule, ReadinessGate gate) {
        return start(announcement, schedule, gate).done();
    }

    /** Announces now, on {@code schedule}. */
    default CompletionStage<AnnounceReport> announce(Announcement announcement, Schedule schedule) {
        return announce(announcement, schedule, ReadinessGate.open());
    }

    /**
     * RFC 5227 ARP probe: asks who has {@code address} (sender IP 0.0.0.0, sender MAC {@code ours}) and
     * listens for {@code wait} for another MAC claiming it. The address must be on the allow-list.
     */
    CompletionStage<ProbeResult> probe(Inet4Address address, MacAddress ours, Duration wait);

    /** The interface this announcer sends on. */
    String iface();

    /** Stops pending announcements and closes the handle. */
    @Override
    void close();
}
