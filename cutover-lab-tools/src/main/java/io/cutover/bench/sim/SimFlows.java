package io.cutover.bench.sim;

import io.cutover.sdn.Cookie;
import io.cutover.sdn.FlowView;
import io.cutover.sdn.impl.FlowText;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Flows as one line each, {@code table=T,priority=P,cookie=C,MATCH actions=INSTRUCTIONS}, in the controller's own
 * canonical text: a simulated switch's table and the controller's plan for it compare as two sets of lines.
 */
public final class SimFlows {
    private SimFlows() {
    }

    /** A simulated switch's flows. */
    public static Set<String> ofTable(Collection<OFFlowStatsEntry> entries) {
        Set<String> lines = new TreeSet<>();
        for (OFFlowStatsEntry entry : entries) {
            lines.add(line(entry.getTableId().getValue(), entry.getPriority(), entry.getCookie().getValue(),
                    FlowText.match(entry.getMatch()), FlowText.instructions(entry.getInstructions())));
        }
        return lines;
    }

    /** The flows the controller wants on a switch ({@code GET /v1/switches/DPID/flows?desired=true}). */
    public static Set<String> ofPlan(Collection<FlowView> flows) {
        Set<String> lines = new TreeSet<>();
        for (FlowView flow : flows) {
            lines.add(line(flow.table(), flow.priority(), flow.cookie(), flow.match(), flow.instructions()));
        }
        return lines;
    }

    private static String line(int table, int priority, long cookie, String match, String instructions) {
        return "table=" + table + ",priority=" + priority + ",cookie=" + Cookie.format(cookie) + "," + match
                + " actions=" + instructions;
    }
}
