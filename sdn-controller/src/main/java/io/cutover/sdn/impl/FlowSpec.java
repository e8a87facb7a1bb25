package io.cutover.sdn.impl;

import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowDeleteStrict;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

import java.util.List;

/**
 * One flow: its key, the match and instructions as OpenFlow objects, its cookie, and the instructions in canonical
 * text. Two specs are the same flow when key, cookie and instruction text are equal.
 */
public record FlowSpec(FlowKey key, Match match, long cookie, List<OFInstruction> instructions, String actions) {

    /** A flow; equal keys and instructions are shared between flows ({@link FlowInterner}). */
    public static FlowSpec of(int table, int priority, Match match, long cookie, List<OFInstruction> instructions) {
        FlowInterner interner = FlowInterner.get();
        FlowInterner.Keyed keyed = interner.key(table, priority, match);
        FlowInterner.Written written = interner.instructions(instructions);
        return new FlowSpec(keyed.key(), keyed.match(), cookie, written.instructions(), written.text());
    }

    /** A flow as the switch reports it. */
    public static FlowSpec of(OFFlowStatsEntry entry) {
        return of(entry.getTableId().getValue(), entry.getPriority(), entry.getMatch(), entry.getCookie().getValue(),
                entry.getInstructions());
    }

    /** Whether the switch's flow {@code other} needs no change to become this one. */
    public boolean sameAs(FlowSpec other) {
        return other != null && key.equals(other.key) && cookie == other.cookie && actions.equals(other.actions);
    }

    public OFFlowAdd toAdd() {
        return SwitchSession.OF.buildFlowAdd().setTableId(TableId.of(key.table())).setPriority(key.priority())
                .setMatch(match).setCookie(U64.of(cookie)).setInstructions(instructions)
                .setBufferId(OFBufferId.NO_BUFFER).build();
    }

    public OFFlowDeleteStrict toDeleteStrict() {
        return SwitchSession.OF.buildFlowDeleteStrict().setTableId(TableId.of(key.table())).setPriority(key.priority())
                .setMatch(match).setOutPort(OFPort.ANY).setOutGroup(OFGroup.ANY).build();
    }
}
