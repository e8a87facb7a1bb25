package io.cutover.agent.steps;

import io.cutover.agent.config.AnnounceConfig;
import io.cutover.agent.plan.PlanStep;
import io.cutover.arp.AllowList;
import io.cutover.arp.AnnounceException;
import io.cutover.arp.Announcement;
import io.cutover.arp.Announcer;
import io.cutover.arp.Announcing;
import io.cutover.arp.MacAddress;
import io.cutover.arp.ReadinessGate;
import io.cutover.arp.Schedule;
import io.cutover.sdn.rest.SdnRestClient;
import io.cutover.support.Netns;
import io.cutover.api.CutoverStage;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletionException;

/** The announcement of the VM's new location, at ACTIVATED, after the steps before it (the SDN commit). */
public final class AnnounceSteps {
    private static final long PROBE_ROUND_MS = 200;

    private AnnounceSteps() {
    }

    /**
     * Announces at ACTIVATED; the step is done when the first round has left (the later rounds follow on the
     * schedule), so that the steps after it are not held for the whole schedule.
     */
    public static PlanStep announce(Announcer announcer, Announcement announcement, Schedule schedule) {
        return new Step("announce", CutoverStage.ACTIVATED,
                () -> announcer.start(announcement, schedule, ReadinessGate.open()).firstRound()
                        .thenApply(gate -> (Void) null),
                () -> CompletableFuture.completedFuture(null));
    }

    /**
     * Announces {@code addresses} at {@code mac} as {@code config} says: an announcer is opened on its interface
     * (in its namespace), or through {@code sdn} from endpoint {@code vm}'s port, when the step runs, and closed once
     * the schedule's last round has left.
     *
     * @param sdn the controller, or {@code null} when the section does not send through it
     */
    public static PlanStep announce(AnnounceConfig config, MacAddress mac, List<InetAddress> addresses,
                                    SdnRestClient sdn, String vm) {
        Announcement announcement = Announcement.of(mac, addresses, config.forms());
        return new Step("announce", CutoverStage.ACTIVATED, () -> {
            Announcer announcer = config.viaController()
                    ? Announcer.through("controller", frame -> send(sdn, vm, frame), AllowList.of(addresses))
                    : open(config, addresses);
            Announcing announcing;
            try {
                announcing = announcer.start(announcement, config.rounds(), ReadinessGate.open());
            } catch (RuntimeException e) {
                announcer.close();
                throw e;
            }
            announcing.done().whenComplete((report, error) -> announcer.close());
            return announcing.firstRound().thenApply(gate -> (Void) null);
        }, Step::done);
    }

    /**
     * {@code announce.verify} at ACTIVATED, for a host without the controller (whose {@code sdn.verify} would ask): asks
     * who has the VM's first IPv4 address by RFC 5227 ARP probes from the announcements' interface, every
     * {@value #PROBE_ROUND_MS} ms, until the VM's MAC answers or {@code config}'s verify timeout passes. No answer, an
     * answer only from another MAC, or no IPv4 address to ask for is a {@link VerifyStep}'s doubt: the plan ends
     * UNVERIFIED, not COMPLETED.
     */
    public static PlanStep verify(AnnounceConfig config, MacAddress mac, List<InetAddress> addresses) {
        return new VerifyStep("announce.verify", () -> {
            Inet4Address address = addresses.stream().filter(Inet4Address.class::isInstance)
                    .map(Inet4Address.class::cast).findFirst().orElse(null);
            if (address == null) {
                return CompletableFuture.completedFuture(VerifyStep.Finding.doubt("the VM has no IPv4 address to ask "
                        + "for by ARP from " + config.iface()));
            }
            MacAddress ours = interfaceMac(config);
            Announcer announcer = open(config, addresses);
            long start = System.nanoTime();
            return ask(announcer, address, mac, ours, start, start + config.verifyTimeout().toNanos(), 1, null)
                    .whenComplete((finding, error) -> announcer.close());
        });
    }

    /** Probes until {@code vm} answers for {@code address} or {@code deadline}; {@code other}: a MAC that did. */
    private static CompletionStage<VerifyStep.Finding> ask(Announcer announcer, Inet4Address address, MacAddress vm,
                                                           MacAddress ours, long start, long deadline, int probes,
                                                           MacAddress other) {
        return announcer.probe(address, ours, Duration.ofMillis(PROBE_ROUND_MS)).thenCompose(result -> {
            long now = System.nanoTime();
            MacAddress owner = result.owner().orElse(null);
            if (vm.equals(owner)) {
                return CompletableFuture.completedFuture(VerifyStep.Finding.answered("answered for "
                        + address.getHostAddress() + " at " + announcer.iface() + " in " + (now - start) / 1_000_000
                        + " ms"));
            }
            MacAddress claimant = owner != null ? owner : other;
            if (now >= deadline) {
                return CompletableFuture.completedFuture(VerifyStep.Finding.doubt("the VM did not answer for "
                        + address.getHostAddress() + " at " + announcer.iface() + " within "
                        + (deadline - start) / 1_000_000 + " ms (" + probes + " probes"
                        + (claimant == null ? ")" : "; " + claimant + " answered for it instead)")));
            }
            return ask(announcer, address, vm, ours, start, deadline, probes + 1, claimant);
        });
    }

    /** The MAC of the announcements' interface, which the probes come from and the answers go to. */
    private static MacAddress interfaceMac(AnnounceConfig config) {
        if (config.netns() == null) {
            return macOf(config.iface());
        }
        try (Netns namespace = Netns.of(config.netns())) {
            return namespace.call(() -> macOf(config.iface()));
        }
    }

    private static MacAddress macOf(String iface) {
        byte[] mac;
        try {
            NetworkInterface nic = NetworkInterface.getByName(iface);
            mac = nic == null ? null : nic.getHardwareAddress();
        } catch (SocketException e) {
            throw new AnnounceException("cannot read " + iface + "'s MAC: " + e.getMessage(), e);
        }
        if (mac == null || mac.length != 6) {
            throw new AnnounceException("no MAC address on " + iface + " to probe from");
        }
        return MacAddress.of(mac);
    }

    /** One frame into endpoint {@code vm}'s switch from its port, by the controller; returns once it confirmed. */
    private static void send(SdnRestClient sdn, String vm, byte[] frame) {
        try {
            sdn.sendFrames(vm, List.of(frame)).toCompletableFuture().join();
        } catch (CompletionException e) {
            throw new AnnounceException("the controller did not send the announcement for " + vm + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    private static Announcer open(AnnounceConfig config, List<InetAddress> addresses) {
        if (config.netns() == null) {
            return Announcer.pcap(config.iface(), AllowList.of(addresses));
        }
        try (Netns namespace = Netns.of(config.netns())) {
            return namespace.call(() -> Announcer.pcap(config.iface(), AllowList.of(addresses)));
        }
    }
}
