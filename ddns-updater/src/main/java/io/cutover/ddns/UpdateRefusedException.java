package io.cutover.ddns;

/** The server refused the update (REFUSED, NOTAUTH without a TSIG error, NOTZONE). */
public final class UpdateRefusedException extends DnsUpdateException {
    public UpdateRefusedException(String zone, String name, int rcode, String detail) {
        super(zone, name, rcode, detail);
    }

    public UpdateRefusedException(String zone, String name, int rcode, String detail, Throwable cause) {
        super(zone, name, rcode, detail, cause);
    }
}
