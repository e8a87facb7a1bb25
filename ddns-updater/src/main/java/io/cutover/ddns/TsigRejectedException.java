package io.cutover.ddns;

/** The server rejected our TSIG signature (BADKEY, BADSIG, BADTIME), or its answer failed our check. */
public final class TsigRejectedException extends DnsUpdateException {
    public TsigRejectedException(String zone, String name, int rcode, String detail) {
        super(zone, name, rcode, detail);
    }

    public TsigRejectedException(String zone, String name, int rcode, String detail, Throwable cause) {
        super(zone, name, rcode, detail, cause);
    }
}
