package io.cutover.arp;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The kinds of frame an announcement may send. */
public enum AnnounceForm {
    /**
     * ARP announcement (RFC 5227): a broadcast request with sender IP = target IP = the address and a zero
     * target MAC. One frame per IPv4 address. Updates existing neighbour entries without creating new ones.
     */
    REQUEST,
    /** Gratuitous ARP reply: broadcast, opcode 2, target MAC and IP = the sender's. One per IPv4 address. */
    REPLY,
    /**
     * RARP reverse request (ethertype 0x8035, opcode 3), as QEMU sends after a migration: teaches switches
     * the MAC's new port even when the VM has no IPv4 address. One frame per announcement.
     */
    RARP,
    /**
     * IPv6 unsolicited Neighbour Advertisement to ff02::1 with the Override flag and the target link-layer
     * address option. One per IPv6 address.
     */
    NA;

    /**
     * Parses {@code request}, {@code reply}, {@code rarp}, {@code na}, {@code all}, or a comma-separated list.
     *
     * @throws IllegalArgumentException naming the unknown form
     */
    public static Set<AnnounceForm> parse(String text) {
        EnumSet<AnnounceForm> forms = EnumSet.noneOf(AnnounceForm.class);
        for (String part : text.split(",")) {
            String name = part.strip().toUpperCase(Locale.ROOT);
            if (name.equals("ALL")) {
                forms.addAll(EnumSet.allOf(AnnounceForm.class));
                continue;
            }
            try {
                forms.add(valueOf(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown announcement form '" + part.strip()
                        + "' (expected request, reply, rarp, na or all)", e);
            }
        }
        return forms;
    }
}
