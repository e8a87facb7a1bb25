package io.cutover.ddns;

import java.util.List;

/**
 * What a server holds for a name.
 *
 * @param server  the server asked
 * @param zone    the zone
 * @param serial  the zone's SOA serial on that server
 * @param rrsets  one line per RRset: {@code TYPE ttl rdata, rdata}, such as {@code A 300 198.18.0.100}
 * @param owner   the ownership TXT data at the name, if any
 */
public record RecordState(String server, String zone, long serial, List<String> rrsets, List<String> owner) {
    public RecordState {
        rrsets = List.copyOf(rrsets);
        owner = List.copyOf(owner);
    }
}
