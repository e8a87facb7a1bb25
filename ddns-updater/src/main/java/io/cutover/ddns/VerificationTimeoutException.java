package io.cutover.ddns;

/** An authoritative server did not serve the new RRset (at the update's serial or later) in time. */
public final class VerificationTimeoutException extends DnsUpdateException {
    public VerificationTimeoutException(String zone, String name, int rcode, String detail) {
        super(zone, name, rcode, detail);
    }

    public VerificationTimeoutException(String zone, String name, int rcode, String detail, Throwable cause) {
        super(zone, name, rcode, detail, cause);
    }
}
