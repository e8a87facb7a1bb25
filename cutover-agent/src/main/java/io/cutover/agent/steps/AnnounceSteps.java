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

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** The announcement of the VM's new location, at ACTIVATED, after the steps before it (the SDN commit). */
public final class AnnounceSteps {
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
