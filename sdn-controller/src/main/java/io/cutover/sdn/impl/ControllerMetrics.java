package io.cutover.sdn.impl;

import io.cutover.sdn.MoveState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Locale;

/**
 * The controller as meters, read at each scrape: {@code cutover_sdn_flow_mods_total},
 * {@code cutover_sdn_transactions_total{kind,outcome}} (a barrier or a bundle's commit, answered or failed),
 * {@code cutover_sdn_refused_sessions_total} (a second session claiming a live datapath id),
 * {@code cutover_sdn_refused_tls_total} (a connection whose TLS handshake failed),
 * {@code cutover_sdn_refused_identities_total} (a certificate not bound to the datapath id it claimed),
 * {@code cutover_sdn_store_saves_total}, {@code cutover_sdn_store_write_milliseconds_total} and
 * {@code cutover_sdn_store_documents_total} (the model's writes to a
 * cluster's store and the documents they wrote: their ratio to the moves is what a move costs the store),
 * {@code cutover_sdn_switches{connected}} and {@code cutover_sdn_moves{state}}.
 */
public final class ControllerMetrics {
    private ControllerMetrics() {
    }

    public static void bind(ControllerCore core, MeterRegistry registry) {
        OpenFlowCounters sent = core.sent();
        FunctionCounter.builder("cutover.sdn.flow.mods", sent, OpenFlowCounters::flowMods)
                .description("flow-mods sent to the switches").register(registry);
        for (OpenFlowCounters.Kind kind : OpenFlowCounters.Kind.values()) {
            for (boolean failed : new boolean[] {false, true}) {
                FunctionCounter.builder("cutover.sdn.transactions", sent, s -> s.transactions(kind, failed))
                        .tag("kind", kind.name().toLowerCase(Locale.ROOT)).tag("outcome", failed ? "failed" : "ok")
                        .description("batches of flow-mods confirmed by a barrier or committed as a bundle")
                        .register(registry);
            }
        }
        FunctionCounter.builder("cutover.sdn.refused.sessions", core, ControllerCore::refusedSessions)
                .description("OpenFlow sessions refused: their datapath id was held by a live one").register(registry);
        FunctionCounter.builder("cutover.sdn.refused.tls", core, ControllerCore::refusedTls)
                .description("switch connections refused: their TLS handshake failed (no certificate from the CA)")
                .register(registry);
        FunctionCounter.builder("cutover.sdn.refused.identities", core, ControllerCore::refusedIdentities)
                .description("OpenFlow sessions refused: their certificate is not bound to the datapath id they claimed")
                .register(registry);
        FunctionCounter.builder("cutover.sdn.neighbour.answers", core, ControllerCore::neighbourAnswers)
                .description("IPv6 neighbour solicitations the controller answered from the model").register(registry);
        FunctionCounter.builder("cutover.sdn.packets.dropped", core, ControllerCore::unansweredPackets)
                .description("packets the switches sent up that got no answer (malformed, unknown, a DAD probe)")
                .register(registry);
        FunctionCounter.builder("cutover.sdn.packets.limited", core, ControllerCore::limitedPackets)
                .description("packets a switch sent up beyond its rate, dropped before the controller's thread saw them")
                .register(registry);
        FunctionCounter.builder("cutover.sdn.store.saves", core, ControllerCore::storeSaves)
                .description("writes of the model to the cluster's store, each one transaction").register(registry);
        FunctionCounter.builder("cutover.sdn.store.documents", core, ControllerCore::storeDocumentsWritten)
                .description("documents those writes made, replaced or deleted in the cluster's store")
                .register(registry);
        FunctionCounter.builder("cutover.sdn.store.write.milliseconds", core, ControllerCore::storeWriteMillis)
                .description("time those writes' transactions took (their ratio to the saves is a transaction's mean)")
                .register(registry);
        for (boolean connected : new boolean[] {true, false}) {
            Gauge.builder("cutover.sdn.switches", core,
                            c -> c.switches().stream().filter(s -> s.connected() == connected).count())
                    .tag("connected", String.valueOf(connected)).description("the switches the controller knows")
                    .register(registry);
        }
        for (MoveState state : MoveState.values()) {
            Gauge.builder("cutover.sdn.moves", core,
                            c -> c.model().moves().values().stream().filter(m -> m.state() == state).count())
                    .tag("state", state.name()).description("moves the controller holds, by state").register(registry);
        }
    }
}
