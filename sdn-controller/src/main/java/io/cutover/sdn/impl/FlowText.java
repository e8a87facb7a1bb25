package io.cutover.sdn.impl;

import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.action.OFActionOutput;
import org.projectfloodlight.openflow.protocol.instruction.OFInstruction;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionApplyActions;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionGotoTable;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionWriteMetadata;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFMetadata;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U64;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Matches and instructions as canonical, readable text (sorted fields, {@code output:3}, {@code goto_table:1}); the
 * actions as ovs-ofctl writes them ({@code set_field:2->arp_op}, {@code move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]},
 * {@code IN_PORT}), so that a switch's dump and the plan compare as text.
 */
public final class FlowText {
    private FlowText() {
    }

    public static String match(Match match) {
        List<String> fields = new ArrayList<>();
        for (MatchField<?> field : match.getMatchFields()) {
            fields.add(field(match, field));
        }
        fields.sort(null);
        return String.join(",", fields);
    }

    private static <F extends org.projectfloodlight.openflow.types.OFValueType<F>> String field(Match match,
                                                                                                MatchField<F> field) {
        if (match.isExact(field)) {
            return field.getName() + "=" + value(match.get(field));
        }
        return field.getName() + "=" + value(match.getMasked(field).getValue()) + "/"
                + value(match.getMasked(field).getMask());
    }

    private static String value(Object value) {
        if (value instanceof OFPort port) {
            return String.valueOf(port.getPortNumber());
        }
        if (value instanceof OFMetadata metadata) {
            return "0x" + Long.toHexString(metadata.getValue().getValue());
        }
        if (value instanceof U64 number) {
            return "0x" + Long.toHexString(number.getValue());
        }
        return String.valueOf(value);
    }

    /** The fields a flow moves between (the ARP responder's), by their OXM header, as ovs-ofctl names them. */
    private static final java.util.Map<Long, String> MOVED_FIELDS = java.util.Map.of(0x80000606L, "NXM_OF_ETH_DST",
            0x80000806L, "NXM_OF_ETH_SRC", 0x80002C04L, "NXM_OF_ARP_SPA", 0x80002E04L, "NXM_OF_ARP_TPA",
            0x80003006L, "NXM_NX_ARP_SHA", 0x80003206L, "NXM_NX_ARP_THA");
    /** OpenFlowJ-Loxi's field names that ovs-ofctl writes otherwise. */
    private static final java.util.Map<String, String> OVS_NAMES = java.util.Map.of("tunnel_id", "tun_id");

    /** A moved field as ovs-ofctl writes it: {@code NXM_OF_ETH_SRC[]} for all of it, else its bit range. */
    private static String moved(long header, int offset, int bits) {
        String name = MOVED_FIELDS.getOrDefault(header, "0x" + Long.toHexString(header));
        boolean whole = offset == 0 && bits == (int) (header & 0xff) * 8;
        return name + (whole ? "[]" : "[" + offset + ".." + (offset + bits - 1) + "]");
    }

    public static String instructions(List<OFInstruction> instructions) {
        return instructions.stream().map(FlowText::instruction).collect(Collectors.joining(","));
    }

    private static String instruction(OFInstruction instruction) {
        if (instruction instanceof OFInstructionApplyActions apply) {
            return apply.getActions().isEmpty() ? "drop"
                    : apply.getActions().stream().map(FlowText::action).collect(Collectors.joining(","));
        }
        if (instruction instanceof OFInstructionWriteMetadata write) {
            return "write_metadata:0x" + Long.toHexString(write.getMetadata().getValue())
                    + (write.getMetadataMask().equals(U64.NO_MASK) ? ""
                    : "/0x" + Long.toHexString(write.getMetadataMask().getValue()));
        }
        if (instruction instanceof OFInstructionGotoTable gotoTable) {
            return "goto_table:" + gotoTable.getTableId().getValue();
        }
        return instruction.toString();
    }

    private static String action(OFAction action) {
        if (action instanceof OFActionOutput output) {
            OFPort port = output.getPort();
            if (port.equals(OFPort.IN_PORT)) {
                return "IN_PORT";
            }
            if (port.equals(OFPort.CONTROLLER)) {
                return "CONTROLLER:" + output.getMaxLen();
            }
            return "output:" + (port.equals(OFPort.LOCAL) ? "LOCAL" : String.valueOf(port.getPortNumber()));
        }
        if (action instanceof org.projectfloodlight.openflow.protocol.action.OFActionSetField setField) {
            String field = setField.getField().getMatchField().getName();
            return "set_field:" + value(setField.getField().getValue()) + "->" + OVS_NAMES.getOrDefault(field, field);
        }
        if (action instanceof org.projectfloodlight.openflow.protocol.action.OFActionNiciraMove move) {
            return "move:" + moved(move.getSrc(), move.getSrcOfs(), move.getNBits()) + "->"
                    + moved(move.getDst(), move.getDstOfs(), move.getNBits());
        }
        return action.toString();
    }
}
