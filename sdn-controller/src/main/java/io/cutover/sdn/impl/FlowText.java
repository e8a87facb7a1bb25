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

/** Matches and instructions as canonical, readable text (sorted fields, {@code output:3}, {@code goto_table:1}). */
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

    /** The fields a flow moves between (the ARP responder's), by their OXM header. */
    private static final java.util.Map<Long, String> OXM_FIELDS = java.util.Map.of(0x80000606L, "eth_dst",
            0x80000806L, "eth_src", 0x80002C04L, "arp_spa", 0x80002E04L, "arp_tpa", 0x80003006L, "arp_sha",
            0x80003206L, "arp_tha");

    private static String oxm(long header) {
        return OXM_FIELDS.getOrDefault(header, "0x" + Long.toHexString(header));
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
            return "output:" + (port.equals(OFPort.LOCAL) ? "LOCAL" : port.equals(OFPort.IN_PORT) ? "IN_PORT"
                    : port.equals(OFPort.CONTROLLER) ? "CONTROLLER" : String.valueOf(port.getPortNumber()));
        }
        if (action instanceof org.projectfloodlight.openflow.protocol.action.OFActionNiciraMove move) {
            return "move:" + oxm(move.getSrc()) + "->" + oxm(move.getDst())
                    + (move.getNBits() == 0 ? "" : "/" + move.getNBits());
        }
        if (action instanceof org.projectfloodlight.openflow.protocol.action.OFActionSetField setField) {
            return "set_field:" + setField.getField().getMatchField().getName() + "=" + value(setField.getField().getValue());
        }
        return action.toString();
    }
}
