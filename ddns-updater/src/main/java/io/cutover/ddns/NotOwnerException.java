package io.cutover.ddns;

import java.util.List;

/** The record belongs to someone else (its ownership TXT is not ours): it was not touched. */
public final class NotOwnerException extends DnsUpdateException {
    private final List<String> held;

    public NotOwnerException(String zone, String name, int rcode, String detail, List<String> held) {
        super(zone, name, rcode, detail + "; the server holds " + held);
        this.held = List.copyOf(held);
    }

    /** What the server holds now, one line per RRset (such as {@code A 198.18.0.7 ttl 300}). */
    public List<String> held() {
        return held;
    }
}
