package io.cutover.agent.steps;

import io.cutover.agent.CutoverRequest;
import io.cutover.agent.PeerAgents;
import io.cutover.agent.StepFactory;
import io.cutover.agent.config.AgentConfig;
import io.cutover.agent.config.SdnConfig;
import io.cutover.agent.plan.ForwardingStep;
import io.cutover.agent.plan.PlanStep;
import io.cutover.agent.plan.Timeline;
import io.cutover.api.CutoverStage;
import io.cutover.arp.MacAddress;
import io.cutover.sdn.rest.SdnRestClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The plan's steps made from {@code host.yaml}: each part (sdn, tunnel, announce, dns) only when its section is
 * present, in the order that public failures teach:
 *
 * <pre>
 * PLANNED     dns.lower-ttl (WAN), sdn.prepare, tunnel.register or tunnel.ready, tunnel.arm (LAN with sdn)
 * SWITCHOVER  tunnel.hold (otherwise), sdn.redirect  (the forwarder holds before the traffic is sent to it)
 * ACTIVATED   sdn.commit, then announce, tunnel.flush and sdn.verify together, dns.switch (WAN) after the flush
 *                                               (announce and flush only once every switch confirmed; the plan
 *                                               ends UNVERIFIED if the VM did not answer sdn.verify's probe, or
 *                                               without the controller announce.verify's, after the announcement)
 * DRAINING    tunnel.drain   (until the source's move says its drain ended: on a WAN once every resolver has let go
 *                             of the old address, as dns.lower-ttl and dns.switch noted, and the tunnel was idle; on a
 *                             LAN once it was idle; or at its hard maximum)
 * COMPLETED   sdn.cleanup, tunnel.close, dns.restore-ttl
 * </pre>
 *
 * On a LAN with the controller, the tunnel is armed at PLANNED ({@code tunnel.arm}): the source's forwarder holds
 * what it catches, and it catches only frames to the VM's MAC, which nothing sends it until {@code sdn.redirect}; the
 * destination's delivers what the source sends, which is nothing until the flush. The blackout's chain is then the
 * redirect alone, and the flush one call to the source's daemon. On a WAN an armed source's proxy would answer the VM's
 * neighbour questions while the VM still runs there: it holds at SWITCHOVER, unless the move is mirrored (a mirrored
 * source keeps what it catches, its proxy silent, until its hold; on a LAN or a WAN alike). The SDN endpoint is named by the VM's name, the tunnel's move by the cutover's id when the plan registers it (by the
 * VM's name when it was registered beforehand); the VM's port on the destination's switch is the
 * request's {@code destinationPort} (the VM's name unless the request says otherwise). This host's tunnel end is its
 * own daemon; the other host's is reached through that host's agent.
 */
public final class ConfiguredSteps implements StepFactory, AutoCloseable {
    /** The order of the steps within a stage. */
    public static final List<String> ORDER = List.of("dns.lower-ttl", "sdn.prepare", "tunnel.register", "tunnel.ready",
            "tunnel.arm", "tunnel.hold", "sdn.redirect", "sdn.commit", "announce", "tunnel.flush", "dns.switch", "sdn.verify", "announce.verify", "tunnel.drain", "sdn.cleanup",
            "tunnel.close", "dns.restore-ttl");

    /**
     * What a step waits for, where it is not every step before it in its stage: at ACTIVATED the announcements and
     * the flush of what was held both need the committed flows and nothing of each other, so they run together and
     * the held frames reach the guest without waiting for the announcements; the DNS switch comes once the old
     * address's held traffic is delivered. The check that the VM answers at its new port needs the commit alone (or,
     * without the controller, the announcement), and nothing waits for it but the stage's end.
     */
    public static final Map<String, Set<String>> WAITS_FOR = Map.of(
            "announce", Set.of("sdn.commit"),
            "tunnel.flush", Set.of("sdn.commit"),
            "dns.switch", Set.of("tunnel.flush"),
            "sdn.verify", Set.of("sdn.commit"),
            "announce.verify", Set.of("announce"));

    /**
     * {@link #WAITS_FOR} for a mirrored move: the destination's switch takes what its forwarder delivers for the VM to
     * the VM's new port from the prepare on, so the flush runs as the guest resumes, beside the commit.
     */
    public static final Map<String, Set<String>> MIRRORED_WAITS_FOR = Map.of(
            "announce", Set.of("sdn.commit"),
            "tunnel.flush", Set.of(),
            "dns.switch", Set.of("tunnel.flush"),
            "sdn.verify", Set.of("sdn.commit"),
            "announce.verify", Set.of("announce"));

    private final AgentConfig config;
    private final PeerAgents peers;
    private final SdnRestClient sdn;
    private final TunnelEnd localTunnel;
    private final DnsQueue dns;

    /**
     * @param peers the other hosts' agents (they relay to their tunnel daemons)
     * @param dns   this host's DNS queue, or {@code null} when the {@code dns} section is absent
     */
    public ConfiguredSteps(AgentConfig config, PeerAgents peers, DnsQueue dns) {
        this.config = config;
        this.peers = peers;
        this.localTunnel = config.tunnel() == null ? null : new TunnelDaemonClient(config.tunnel().api(),
                config.tunnel().token(), config.tunnel().underlay(), config.tunnel().iface());
        SdnConfig section = config.sdn();
        this.sdn = section == null ? null : new SdnRestClient(section.urls(), section.token(), section.timeout(),
                section.tls());
        this.dns = dns;
        if ((config.dns() == null) != (dns == null)) {
            throw new IllegalArgumentException("a DNS queue goes with the dns section");
        }
    }

    /** The steps of {@code config}, with the DNS queue opened when the section is there; nothing metered. */
    public static ConfiguredSteps open(AgentConfig config, PeerAgents peers) {
        return open(config, peers, new CompositeMeterRegistry());
    }

    /** As {@link #open(AgentConfig, PeerAgents)}, with the DNS updater's meters in {@code meters}. */
    public static ConfiguredSteps open(AgentConfig config, PeerAgents peers, MeterRegistry meters) {
        return new ConfiguredSteps(config, peers, config.dns() == null ? null : DnsQueue.open(config.dns(), meters));
    }

    /** This host's tunnel daemon, or {@code null} when the {@code tunnel} section is absent. */
    public TunnelEnd localTunnel() {
        return localTunnel;
    }

    @Override
    public List<PlanStep> steps(String cutoverId, CutoverRequest request) {
        return steps(cutoverId, request, new Timeline());
    }

    @Override
    public List<PlanStep> steps(String cutoverId, CutoverRequest request, Timeline timeline) {
        boolean wan = "wan".equals(request.mode());
        List<PlanStep> steps = new ArrayList<>();
        String forwarderPort = config.sdn() == null ? null : config.sdn().forwarderPorts().get(request.source());
        TunnelSteps.Arming armed = arming(request, wan, forwarderPort);
        if (config.sdn() != null) {
            SdnConfig section = config.sdn();
            steps.addAll(SdnSteps.of(sdn, section.rollbackPatience(), request.vm(),
                    section.switchOf(request.destination()), request.destinationPort(), forwarderPort,
                    armed == TunnelSteps.Arming.MIRRORED));
            steps.add(SdnSteps.verify(sdn, request.vm(), section.verifyTimeout()));
        }
        DnsChangeLog dnsLog = dns != null && wan && request.dnsName() != null ? new DnsChangeLog() : null;
        TunnelSteps.Notes notes = new TunnelSteps.Notes(dnsLog, timeline, lookback(request));
        if (config.tunnel() != null && config.tunnel().registersMoves()) {
            steps.addAll(TunnelSteps.registering(TunnelMove.fresh(cutoverId, wan, request.mac(), request.addresses(),
                    drain(dnsLog != null)), tunnelEnd(request.source()), tunnelEnd(request.destination()), armed,
                    notes));
        } else if (config.tunnel() != null) {
            steps.addAll(TunnelSteps.registered(request.vm(), tunnelEnd(request.source()),
                    tunnelEnd(request.destination()), armed, notes));
        }
        if (config.announce() != null) {
            steps.add(AnnounceSteps.announce(config.announce(), MacAddress.parse(request.mac()),
                    addresses(wan ? request.newAddresses() : request.addresses()), sdn, request.vm()));
            if (config.sdn() == null) {
                // the address the guest has now: on a WAN it takes its new one later, as the old one's users let go
                steps.add(AnnounceSteps.verify(config.announce(), MacAddress.parse(request.mac()),
                        addresses(request.addresses())));
            }
        }
        if (dns != null && wan && request.dnsName() != null) {
            steps.addAll(DnsSteps.of(dns, request.dnsName(), addresses(request.addresses()),
                    addresses(request.newAddresses()), config.dns().loweredTtl(), dnsLog));
        }
        steps.sort(Comparator.comparing((PlanStep s) -> s.stage().ordinal()).thenComparing(s -> ORDER.indexOf(s.name())));
        Map<String, Set<String>> waits = armed == TunnelSteps.Arming.MIRRORED ? MIRRORED_WAITS_FOR : WAITS_FOR;
        return steps.stream().map(step -> waits.containsKey(step.name())
                ? new Waiting(step, waits.get(step.name())) : step).toList();
    }

    /**
     * The drain of the moves this agent registers, as {@code host.yaml} says. A move whose cutover switches DNS also
     * gets the lowered TTL as its {@code dnsTtl}: a DNS rule applies to it from the start, so that idleness does not
     * end it before {@code tunnel.drain} tells it when resolvers let go of the old address.
     */
    private Map<String, String> drain(boolean dnsRule) {
        Map<String, String> drain = new java.util.LinkedHashMap<>();
        drain.put("idle", config.tunnel().drainIdle().toMillis() + "ms");
        drain.put("hardMax", config.tunnel().drainHardMax().toMillis() + "ms");
        if (dnsRule) {
            drain.put("dnsTtl", config.dns().loweredTtl().toMillis() + "ms");
        }
        return drain;
    }

    /**
     * When the tunnel's ends are readied. On a LAN under the controller they are armed before the pause, as only the
     * controller's redirect sends the source's capture anything. Where the agent also drives QEMU, which pauses the
     * guest for real and tells it the moment (or follows libvirt's events, which tell it a little later), the source's switch mirrors the guest's traffic to the forwarder from
     * PLANNED on, and the blackout's only step is the source's hold, a call to this host's own daemon (the frames that
     * reached the old port after the stop are in its lookback): no switch has to change while the guest is stopped.
     * Both hosts' forwarder ports must carry one name (each host's own switch, as the lab's {@code fwd}): the
     * controller delivers what arrives at the destination's port of that name to the VM's new port before the commit.
     */
    private TunnelSteps.Arming arming(CutoverRequest request, boolean wan, String forwarderPort) {
        if (config.sdn() == null) {
            return TunnelSteps.Arming.AT_STAGES;
        }
        // libvirt's Suspended Migrated event is QEMU's stop, told late: the same pause, placed on the timeline
        boolean byQemu = request.migrator() != null && request.migrator().byQemu() || request.byLibvirt();
        boolean localSource = config.tunnel() != null && request.source().equals(config.host());
        boolean namedAlike = forwarderPort != null
                && forwarderPort.equals(config.sdn().forwarderPorts().get(request.destination()));
        if (byQemu && namedAlike && localSource) {
            return TunnelSteps.Arming.MIRRORED;
        }
        return wan ? TunnelSteps.Arming.AT_STAGES : TunnelSteps.Arming.ARMED;
    }

    /**
     * How far back a mirrored hold reaches from the pause on the timeline: libvirt's Suspended event is placed where
     * it was read, up to {@code libvirt.event-lag} after QEMU's stop, so its hold reaches back that much more.
     */
    Duration lookback(CutoverRequest request) {
        return request.byLibvirt() && config.libvirt() != null
                ? TunnelSteps.PAUSE_LOOKBACK.plus(config.libvirt().eventLag()) : TunnelSteps.PAUSE_LOOKBACK;
    }

    /** This host's daemon, or the daemon of another host through its agent. */
    private TunnelEnd tunnelEnd(String host) {
        return host.equals(config.host()) ? localTunnel : new PeerTunnelEnd(peers, host);
    }

    /** The request's addresses, literals checked by {@link CutoverRequest} (never resolved). */
    private static List<InetAddress> addresses(List<String> texts) {
        return texts.stream().map(io.cutover.support.IpLiteral::parse).toList();
    }

    /** The DNS queue, or {@code null}. */
    public DnsQueue dnsQueue() {
        return dns;
    }

    @Override
    public void close() {
        if (dns != null) {
            dns.close();
        }
    }

    /** A step that waits only for {@code names} in its stage. */
    private static final class Waiting extends ForwardingStep {
        private final Set<String> names;

        Waiting(PlanStep step, Set<String> names) {
            super(step);
            this.names = names;
        }

        @Override
        public Optional<Set<String>> waitsFor() {
            return Optional.of(names);
        }
    }
}
