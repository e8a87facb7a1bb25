package io.cutover.agent.steps;

import io.cutover.agent.config.AnnounceConfig;
import io.cutover.agent.plan.PlanStep;
import io.cutover.arp.AllowList;
import io.cutover.arp.Announcement;
import io.cutover.arp.Announcer;
import io.cutover.arp.Announcing;
import io.cutover.arp.MacAddress;
import io.cutover.arp.ReadinessGate;
import io.cutover.arp.Schedule;
import io.cutover.support.Netns;
import io.cutover.api.CutoverStage;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

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
     * (in its namespace) when the step runs, and closed once the schedule's last round has left.
     */
    public static PlanStep announce(AnnounceConfig config, MacAddress mac, List<InetAddress> addresses) {
        Announcement announcement = Announcement.of(mac, addresses, config.forms());
        return new Step("announce", CutoverStage.ACTIVATED, () -> {
            Announcer announcer = open(config, addresses);
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

    private static Announcer open(AnnounceConfig config, List<InetAddress> addresses) {
        if (config.netns() == null) {
            return Announcer.pcap(config.iface(), AllowList.of(addresses));
        }
        try (Netns namespace = Netns.of(config.netns())) {
            return namespace.call(() -> Announcer.pcap(config.iface(), AllowList.of(addresses)));
        }
    }
}
