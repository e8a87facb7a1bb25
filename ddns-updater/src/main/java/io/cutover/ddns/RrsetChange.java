package io.cutover.ddns;

import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One compare-and-swap on an RRset: if {@code name}/{@code type} holds exactly {@code expected} (nothing, when
 * empty), replace it with {@code desired} (delete it, when empty) at {@code ttl}. The server checks the
 * expectation itself (RFC 2136 prerequisites), so a record changed by someone else is left alone.
 *
 * @param name     absolute owner name, such as {@code vm1.vms.cutover.test.}
 * @param type     record type mnemonic: {@code A}, {@code AAAA}, {@code PTR}, {@code TXT}, ...
 * @param ttl      the TTL of the desired RRset, or {@link #KEEP_TTL} for the TTL the primary serves when it is sent
 * @param expected rdata the RRset must hold now, in presentation format (normalised, sorted)
 * @param desired  rdata it holds afterwards, in presentation format (normalised, sorted)
 */
public record RrsetChange(String name, String type, Duration ttl, List<String> expected, List<String> desired) {
    /** Keep the TTL the RRset has on the primary when the update is sent ({@value #DEFAULT_TTL_S} s if it has none). */
    public static final Duration KEEP_TTL = Duration.ofSeconds(-1);
    /** The TTL of a new RRset whose change says {@link #KEEP_TTL}. */
    public static final long DEFAULT_TTL_S = 300;

    public RrsetChange {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(ttl, "ttl");
        if ((ttl.isNegative() && !ttl.equals(KEEP_TTL)) || ttl.getSeconds() > 0x7fffffffL) {
            throw new IllegalArgumentException("TTL out of range: " + ttl);
        }
        Name owner = absolute(name);
        name = owner.toString();
        int code = Type.value(type);
        if (code < 0) {
            throw new IllegalArgumentException("unknown record type '" + type + "'");
        }
        type = Type.string(code);
        expected = normalise(owner, code, expected);
        desired = normalise(owner, code, desired);
    }

    /** Replaces the address {@code from} of {@code name} by {@code to} (A for IPv4, AAAA for IPv6). */
    public static RrsetChange switchAddress(String name, InetAddress from, InetAddress to, Duration ttl) {
        if ((from instanceof Inet6Address) != (to instanceof Inet6Address)) {
            throw new IllegalArgumentException("old and new address must be of the same family: " + from.getHostAddress()
                    + " -> " + to.getHostAddress());
        }
        String type = to instanceof Inet6Address ? "AAAA" : "A";
        return new RrsetChange(name, type, ttl, List.of(from.getHostAddress()), List.of(to.getHostAddress()));
    }

    /** This change with another TTL. */
    public RrsetChange withTtl(Duration newTtl) {
        return new RrsetChange(name, type, newTtl, expected, desired);
    }

    /** Whether the TTL is taken from the primary when the update is sent. */
    public boolean keepsTtl() {
        return ttl.equals(KEEP_TTL);
    }

    /** The type code, as dnsjava's {@link Type} has it. */
    public int typeCode() {
        return Type.value(type);
    }

    /** The owner name. */
    public Name owner() {
        return absolute(name);
    }

    /** Whether this change leaves the records as they are and changes only their TTL (or nothing). */
    public boolean keepsRecords() {
        return expected.equals(desired);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + expected + " -> " + desired + (keepsTtl() ? " ttl kept" : " ttl " + ttl.getSeconds() + "s");
    }

    /** An absolute DNS name; a name without a final dot is taken as absolute too. */
    public static Name absolute(String name) {
        try {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("bad DNS name '" + name + "': " + e.getMessage(), e);
        }
    }

    private static List<String> normalise(Name owner, int type, List<String> rdata) {
        Objects.requireNonNull(rdata, "rdata");
        TreeSet<String> set = new TreeSet<>();
        for (String text : rdata) {
            try {
                set.add(Record.fromString(owner, type, org.xbill.DNS.DClass.IN, 0, text, Name.root).rdataToString());
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("bad " + Type.string(type) + " data '" + text + "' for " + owner + ": "
                        + e.getMessage(), e);
            }
        }
        return List.copyOf(set);
    }
}
