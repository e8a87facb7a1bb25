package io.cutover.arp;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/** A unicast Ethernet MAC address, immutable. */
public final class MacAddress {
    private final byte[] bytes;

    private MacAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Parses {@code 02:00:c6:12:00:64} (colons or dashes).
     *
     * @throws IllegalArgumentException when the text is not six hex octets, or names a multicast, broadcast
     *                                  or all-zero address (which no VM can own)
     */
    public static MacAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("MAC address missing");
        }
        String[] parts = text.strip().split("[:-]", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("bad MAC address '" + text + "': expected six hex octets like 02:00:c6:12:00:64");
        }
        byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (parts[i].length() != 2 || !parts[i].chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new IllegalArgumentException("bad MAC address '" + text + "': octet " + (i + 1) + " is '" + parts[i] + "'");
            }
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return of(bytes);
    }

    /** The address of these six octets; same checks as {@link #parse}. */
    public static MacAddress of(byte[] octets) {
        if (octets.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 octets, not " + octets.length);
        }
        MacAddress mac = new MacAddress(octets.clone());
        if ((octets[0] & 1) != 0) {
            throw new IllegalArgumentException("MAC address " + mac + " is multicast or broadcast, not a VM's address");
        }
        if (Arrays.equals(octets, new byte[6])) {
            throw new IllegalArgumentException("MAC address 00:00:00:00:00:00 is not a VM's address");
        }
        return mac;
    }

    /** The six octets (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Copies the six octets into {@code buffer} at {@code offset}. */
    public void writeTo(byte[] buffer, int offset) {
        System.arraycopy(bytes, 0, buffer, offset, 6);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Lower-case, colon-separated, as {@code ip neigh} prints it. */
    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes).toLowerCase(Locale.ROOT);
    }
}
