package io.cutover.ddns;

import org.xbill.DNS.Rcode;

/**
 * An update or query that did not succeed, with the zone, the name and the response code (or -1 when no
 * answer came). Subclasses say what kind of failure it was.
 */
public class DnsUpdateException extends RuntimeException {
    /** The rcode of a failure where no response arrived. */
    public static final int NO_RCODE = -1;

    private final String zone;
    private final String name;
    private final int rcode;

    public DnsUpdateException(String zone, String name, int rcode, String detail) {
        this(zone, name, rcode, detail, null);
    }

    public DnsUpdateException(String zone, String name, int rcode, String detail, Throwable cause) {
        super(describe(zone, name, rcode, detail), cause);
        this.zone = zone;
        this.name = name;
        this.rcode = rcode;
    }

    public String zone() {
        return zone;
    }

    public String name() {
        return name;
    }

    /** The DNS (or TSIG extended) rcode, or {@link #NO_RCODE}. */
    public int rcode() {
        return rcode;
    }

    /** The rcode's mnemonic, such as {@code REFUSED} or {@code BADKEY}. */
    public String rcodeName() {
        if (rcode == NO_RCODE) {
            return "none";
        }
        return rcode >= 16 ? Rcode.TSIGstring(rcode) : Rcode.string(rcode);
    }

    private static String describe(String zone, String name, int rcode, String detail) {
        String code = rcode == NO_RCODE ? "" : " [" + (rcode >= 16 ? Rcode.TSIGstring(rcode) : Rcode.string(rcode)) + "]";
        return detail + code + " (zone " + zone + ", name " + name + ")";
    }
}
