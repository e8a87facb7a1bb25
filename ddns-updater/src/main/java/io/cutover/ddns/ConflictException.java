package io.cutover.ddns;

import java.util.List;

/** The server does not hold what the update expected (NXRRSET, YXRRSET, NXDOMAIN): nothing was changed. {@link #held()} says what it holds. */
public final class ConflictException extends DnsUpdateException {
    private final List<String> held;

    public ConflictException(String zone, String name, int rcode, String detail, List<String> held) {
        super(zone, name, rcode, detail + "; the server holds " + held);
        this.held = List.copyOf(held);
    }

    /** What the server holds now, one line per RRset (such as {@code A 198.18.0.7 ttl 300}). */
    public List<String> held() {
        return held;
    }
}
