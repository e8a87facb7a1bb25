package io.cutover.sdn;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * A switch's OpenFlow datapath id: the key the controller knows a switch by (its bridge name is only a label: every
 * hypervisor's bridge may be called {@code br-int}). Written as Open vSwitch writes it, 16 hex digits such as
 * {@code 0000a2b3c4d5e6f7}; {@link #parse} also reads {@code 0x…} (1 to 16 digits) and the colon form
 * {@code 00:00:a2:b3:c4:d5:e6:f7}. In JSON it is that string.
 *
 * @param value the 64 bits
 */
public record Dpid(long value) implements Comparable<Dpid> {

    /** The datapath id {@code value}. */
    public static Dpid of(long value) {
        return new Dpid(value);
    }

    /**
     * Reads a datapath id: 16 hex digits ({@code 0000a2b3c4d5e6f7}, as {@code ovs-vsctl get Bridge br-int
     * datapath_id} prints it, quotes allowed), {@code 0x} and 1 to 16 hex digits, or 8 colon-separated bytes; any
     * case, surrounding blanks ignored.
     *
     * @throws IllegalArgumentException when {@code text} is none of these (a bridge name, say)
     */
    @JsonCreator
    public static Dpid parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("the datapath id is missing");
        }
        String s = text.strip();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1);
        }
        s = s.toLowerCase(Locale.ROOT);
        String digits;
        if (s.startsWith("0x")) {
            digits = s.substring(2);
            if (digits.isEmpty() || digits.length() > 16) {
                throw invalid(text);
            }
        } else if (s.length() == 23 && s.matches("([0-9a-f]{2}:){7}[0-9a-f]{2}")) {
            digits = s.replace(":", "");
        } else if (s.length() == 16) {
            digits = s;
        } else {
            throw invalid(text);
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), 16) < 0) {
                throw invalid(text);
            }
        }
        return new Dpid(Long.parseUnsignedLong(digits, 16));
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("'" + text + "' is not a datapath id (expected 16 hex digits as Open "
                + "vSwitch prints it, such as 0000a2b3c4d5e6f7, or 0x… or 00:00:a2:b3:c4:d5:e6:f7; a bridge name "
                + "is not a switch's key: GET /v1/switches lists the datapath ids)");
    }

    /** 16 lower-case hex digits, as Open vSwitch writes a datapath id. */
    @JsonValue
    @Override
    public String toString() {
        return String.format("%016x", value);
    }

    @Override
    public int compareTo(Dpid other) {
        return Long.compareUnsigned(value, other.value);
    }
}
