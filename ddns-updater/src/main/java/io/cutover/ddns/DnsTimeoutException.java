package io.cutover.ddns;

/** No answer arrived after every bounded retry. An update stays in the journal for a later replay. */
public final class DnsTimeoutException extends DnsUpdateException {
    public DnsTimeoutException(String zone, String name, int rcode, String detail) {
        super(zone, name, rcode, detail);
    }

    public DnsTimeoutException(String zone, String name, int rcode, String detail, Throwable cause) {
        super(zone, name, rcode, detail, cause);
    }
}
