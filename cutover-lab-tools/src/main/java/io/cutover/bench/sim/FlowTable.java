package io.cutover.bench.sim;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMessageReader;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.Masked;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFGroup;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.OFValueType;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One simulated switch's flows, lean enough for a thousand switches of thousands of flows in one JVM: each flow is
 * kept as the bytes of one OpenFlow 1.3 flow-add (cookie, table, priority, match, instructions), its match's fields
 * in a canonical order so that the same match sent in another order is the same flow, as on Open vSwitch. A flow is
 * unique by table, priority and match; flows are turned back into Loxi objects only to be reported.
 * Not thread-safe: a switch's table is touched by its connection's event loop only.
 */
final class FlowTable {
    static final OFFactory OF = OFFactories.getFactory(OFVersion.OF_13);
    private static final OFMessageReader<OFMessage> READER = OFFactories.getGenericReader();
    /** The highest table an OpenFlow 1.3 switch may have (0xff means all tables in a request). */
    private static final int MAX_TABLE = 253;
    private static final int ALL_TABLES = 0xff;
    private static final int COOKIE_AT = 8;
    private static final int TABLE_AT = 24;
    private static final int PRIORITY_AT = 30;
    private static final int MATCH_AT = 48;

    private final Map<Flow, Flow> flows = new HashMap<>();

    /** Why a flow-mod is refused: the OpenFlow 1.3 FLOW_MOD_FAILED code Open vSwitch answers with, and a reason. */
    record Refusal(OFFlowModFailedCode code, String reason) {
    }

    int size() {
        return flows.size();
    }

    /** Whether the table could apply {@code mod}, or why not (checked for all of a bundle before any is applied). */
    static Refusal check(OFFlowMod mod) {
        int table = mod.getTableId().getValue();
        return switch (mod.getCommand()) {
            case ADD, MODIFY, MODIFY_STRICT -> table > MAX_TABLE
                    ? new Refusal(OFFlowModFailedCode.BAD_TABLE_ID, "table " + table + " for " + mod.getCommand()) : null;
            case DELETE, DELETE_STRICT -> table > MAX_TABLE && table != ALL_TABLES
                    ? new Refusal(OFFlowModFailedCode.BAD_TABLE_ID, "table " + table)
                    : !mod.getOutPort().equals(OFPort.ANY) || !mod.getOutGroup().equals(OFGroup.ANY)
                    ? new Refusal(OFFlowModFailedCode.UNKNOWN, "the simulator filters deletes by out_port/out_group ANY only")
                    : null;
        };
    }

    /** Applies a flow-mod that {@link #check} let through. */
    void apply(OFFlowMod mod) {
        switch (mod.getCommand()) {
            case ADD -> {
                Flow flow = Flow.of(mod, mod.getInstructions(), mod.getCookie().getValue());
                flows.remove(flow); // the map would keep its old key, which holds the old instructions
                flows.put(flow, flow);
            }
            case MODIFY_STRICT -> {
                Flow probe = Flow.of(mod, List.of(), 0);
                Flow old = flows.get(probe);
                if (old != null && cookieMatches(old, mod)) {
                    replaceInstructions(old, mod);
                }
            }
            case MODIFY -> {
                for (Flow old : List.copyOf(select(filter(mod, ALL_TABLES)))) {
                    replaceInstructions(old, mod);
                }
            }
            case DELETE_STRICT -> {
                int table = mod.getTableId().getValue();
                Flow probe = Flow.of(table == ALL_TABLES ? mod.createBuilder().setTableId(TableId.of(0)).build() : mod,
                        List.of(), 0);
                if (table != ALL_TABLES) {
                    Flow old = flows.get(probe);
                    if (old != null && cookieMatches(old, mod)) {
                        flows.remove(old);
                    }
                } else {
                    flows.values().removeIf(flow -> flow.sameOutsideTable(probe) && cookieMatches(flow, mod));
                }
            }
            case DELETE -> flows.values().removeIf(filter(mod, mod.getTableId().getValue()));
        }
    }

    private void replaceInstructions(Flow old, OFFlowMod mod) {
        Flow updated = Flow.of(old.toFlowAdd(), mod.getInstructions(), old.cookie());
        flows.remove(old);
        flows.put(updated, updated);
    }

    /** The flows a flow statistics request asks for: by table (0xff: all), cookie under its mask and match. */
    List<OFFlowStatsEntry> stats(int table, long cookie, long cookieMask, Match match) {
        List<OFFlowStatsEntry> entries = new ArrayList<>();
        for (Flow flow : select(filter(table, cookie, cookieMask, match))) {
            OFFlowAdd add = flow.toFlowAdd();
            entries.add(OF.buildFlowStatsEntry().setTableId(add.getTableId()).setPriority(add.getPriority())
                    .setCookie(add.getCookie()).setMatch(add.getMatch()).setInstructions(add.getInstructions())
                    .build());
        }
        return entries;
    }

    private List<Flow> select(Predicate<Flow> filter) {
        List<Flow> selected = new ArrayList<>();
        for (Iterator<Flow> it = flows.values().iterator(); it.hasNext(); ) {
            Flow flow = it.next();
            if (filter.test(flow)) {
                selected.add(flow);
            }
        }
        return selected;
    }

    private static Predicate<Flow> filter(OFFlowMod mod, int table) {
        return filter(table == ALL_TABLES ? ALL_TABLES : mod.getTableId().getValue(), mod.getCookie().getValue(),
                mod.getCookieMask().getValue(), mod.getMatch());
    }

    /** OpenFlow's non-strict selection: the table, the cookie under the mask, and every field {@code match} sets. */
    private static Predicate<Flow> filter(int table, long cookie, long cookieMask, Match match) {
        boolean anyMatch = !match.getMatchFields().iterator().hasNext();
        return flow -> (table == ALL_TABLES || flow.table() == table)
                && (flow.cookie() & cookieMask) == (cookie & cookieMask)
                && (anyMatch || narrower(flow.toFlowAdd().getMatch(), match));
    }

    private static boolean cookieMatches(Flow flow, OFFlowMod mod) {
        long mask = mod.getCookieMask().getValue();
        return (flow.cookie() & mask) == (mod.getCookie().getValue() & mask);
    }

    /** Whether {@code flow}'s match is at least as narrow as {@code filter}: it sets each field as the filter does. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static boolean narrower(Match flow, Match filter) {
        for (MatchField field : filter.getMatchFields()) {
            OFValueType have = flow.get(field);
            if (have == null) {
                return false;
            }
            if (filter.isExact(field)) {
                if (!flow.isExact(field) || !have.equals(filter.get(field))) {
                    return false;
                }
            } else {
                Masked masked = filter.getMasked(field);
                OFValueType mask = (OFValueType) masked.getMask();
                if (!have.applyMask(mask).equals(((OFValueType) masked.getValue()).applyMask(mask))) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * One flow as the bytes of a flow-add (xid 0, no buffer, no flags), its match's fields sorted; equal by table,
     * priority and match.
     */
    private static final class Flow {
        private final byte[] bytes;
        private final int matchEnd;
        private final int hash;

        private Flow(byte[] bytes) {
            this.bytes = bytes;
            this.matchEnd = MATCH_AT + (((bytes[MATCH_AT + 2] & 0xff) << 8) | (bytes[MATCH_AT + 3] & 0xff));
            int h = 31 * bytes[TABLE_AT] + bytes[PRIORITY_AT];
            h = 31 * h + bytes[PRIORITY_AT + 1];
            for (int i = MATCH_AT; i < matchEnd; i++) {
                h = 31 * h + bytes[i];
            }
            this.hash = h;
        }

        static Flow of(OFFlowMod mod, List<org.projectfloodlight.openflow.protocol.instruction.OFInstruction> instructions,
                       long cookie) {
            OFFlowAdd add = OF.buildFlowAdd().setXid(0).setTableId(mod.getTableId()).setPriority(mod.getPriority())
                    .setCookie(U64.of(cookie)).setMatch(mod.getMatch()).setInstructions(instructions)
                    .setIdleTimeout(mod.getIdleTimeout()).setHardTimeout(mod.getHardTimeout())
                    .setBufferId(OFBufferId.NO_BUFFER).build();
            ByteBuf buf = Unpooled.buffer(128);
            add.writeTo(buf);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            sortFields(bytes);
            return new Flow(bytes);
        }

        /** Sorts the match's OXM fields by their bytes, so that one match has one form whatever order it came in. */
        private static void sortFields(byte[] bytes) {
            int end = MATCH_AT + (((bytes[MATCH_AT + 2] & 0xff) << 8) | (bytes[MATCH_AT + 3] & 0xff));
            List<byte[]> fields = new ArrayList<>();
            for (int at = MATCH_AT + 4; at + 4 <= end; ) {
                int length = 4 + (bytes[at + 3] & 0xff);
                fields.add(Arrays.copyOfRange(bytes, at, at + length));
                at += length;
            }
            fields.sort(Arrays::compareUnsigned);
            int at = MATCH_AT + 4;
            for (byte[] field : fields) {
                System.arraycopy(field, 0, bytes, at, field.length);
                at += field.length;
            }
        }

        int table() {
            return bytes[TABLE_AT] & 0xff;
        }

        long cookie() {
            long cookie = 0;
            for (int i = 0; i < 8; i++) {
                cookie = (cookie << 8) | (bytes[COOKIE_AT + i] & 0xff);
            }
            return cookie;
        }

        /** Whether the two have one priority and one match (in whatever table). */
        boolean sameOutsideTable(Flow other) {
            return bytes[PRIORITY_AT] == other.bytes[PRIORITY_AT] && bytes[PRIORITY_AT + 1] == other.bytes[PRIORITY_AT + 1]
                    && Arrays.equals(bytes, MATCH_AT, matchEnd, other.bytes, MATCH_AT, other.matchEnd);
        }

        OFFlowAdd toFlowAdd() {
            try {
                return (OFFlowAdd) READER.readFrom(Unpooled.wrappedBuffer(bytes));
            } catch (org.projectfloodlight.openflow.exceptions.OFParseError e) {
                throw new IllegalStateException("a stored flow does not parse: " + e.getMessage(), e);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Flow other && hash == other.hash && bytes[TABLE_AT] == other.bytes[TABLE_AT]
                    && bytes[PRIORITY_AT] == other.bytes[PRIORITY_AT]
                    && bytes[PRIORITY_AT + 1] == other.bytes[PRIORITY_AT + 1]
                    && Arrays.equals(bytes, MATCH_AT, matchEnd, other.bytes, MATCH_AT, other.matchEnd);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
