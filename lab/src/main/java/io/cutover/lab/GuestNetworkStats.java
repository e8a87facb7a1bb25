package io.cutover.lab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A guest kernel's own network counters, as its console prints them ({@link QemuGuest#networkStats}): where a packet
 * that reached the guest and was never answered went. Counters are since the guest's boot (a migrated guest keeps
 * them), so a move's share is the {@link #since difference} between a reading before and one after.
 *
 * @param unresolvedDiscards packets the ARP table dropped while their neighbour was unresolved (the oldest of its
 *                           queue go first), summed over the CPUs of {@code /proc/net/stat/arp_cache}
 * @param udpInErrors        UDP datagrams received and not delivered ({@code /proc/net/snmp})
 * @param udpRcvbufErrors    of which for a full socket receive buffer
 * @param rxDropped          frames eth0 dropped on receipt ({@code /proc/net/dev})
 * @param neighbours         the neighbour table of eth0 at the reading, one entry a line
 */
public record GuestNetworkStats(long unresolvedDiscards, long udpInErrors, long udpRcvbufErrors, long rxDropped,
                                List<String> neighbours) {
    private static final String START = "cutover: stats";
    private static final String END = "cutover: stats end";

    public GuestNetworkStats {
        neighbours = List.copyOf(neighbours);
    }

    /**
     * Reads what the guest said between {@value #START} and {@value #END} (other lines around them are skipped).
     *
     * @throws LabException if the answer is cut or a counter is missing
     */
    public static GuestNetworkStats parse(String said) {
        List<String> lines = new ArrayList<>();
        boolean in = false;
        for (String raw : said.split("\n")) {
            String line = raw.strip();
            if (line.equals(END)) {
                in = false;
                break;
            }
            if (in) {
                lines.add(line);
            } else if (line.equals(START)) {
                in = true;
                lines.clear();
            }
        }
        if (in || lines.isEmpty()) {
            throw new LabException("the guest's network counters are cut: " + said.strip());
        }
        return new GuestNetworkStats(unresolvedDiscards(lines), snmp(lines, "Udp:", "InErrors"),
                snmp(lines, "Udp:", "RcvbufErrors"), rxDropped(lines, "eth0"),
                lines.stream().filter(l -> l.startsWith("neigh: ")).map(l -> l.substring(7)).toList());
    }

    /** This reading's counters less {@code before}'s; the neighbours are this reading's. */
    public GuestNetworkStats since(GuestNetworkStats before) {
        return new GuestNetworkStats(unresolvedDiscards - before.unresolvedDiscards, udpInErrors - before.udpInErrors,
                udpRcvbufErrors - before.udpRcvbufErrors, rxDropped - before.rxDropped, neighbours);
    }

    /** One line for a timeline. */
    public String summary() {
        return String.format(Locale.ROOT, "arp unresolved discards %d, udp in errors %d (rcvbuf %d), eth0 rx dropped %d;"
                + " neighbours: %s", unresolvedDiscards, udpInErrors, udpRcvbufErrors, rxDropped,
                neighbours.isEmpty() ? "none" : String.join("; ", neighbours));
    }

    private static long unresolvedDiscards(List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            List<String> header = Arrays.asList(lines.get(i).split("\\s+"));
            int column = header.indexOf("unresolved_discards");
            if (header.get(0).equals("entries") && column >= 0) {
                long sum = 0;
                for (int row = i + 1; row < lines.size() && lines.get(row).matches("[0-9a-fA-F ]+"); row++) {
                    String[] values = lines.get(row).split("\\s+");
                    if (values.length > column) {
                        sum += Long.parseLong(values[column], 16);
                    }
                }
                return sum;
            }
        }
        throw new LabException("no ARP table statistics in the guest's counters");
    }

    /** A counter of {@code /proc/net/snmp}: a line of names after {@code prefix}, then one of values. */
    private static long snmp(List<String> lines, String prefix, String name) {
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix) && lines.get(i + 1).startsWith(prefix)) {
                List<String> names = Arrays.asList(lines.get(i).split("\\s+"));
                String[] values = lines.get(i + 1).split("\\s+");
                int column = names.indexOf(name);
                if (column > 0 && column < values.length) {
                    return Long.parseLong(values[column]);
                }
            }
        }
        throw new LabException("no " + prefix + " " + name + " in the guest's counters");
    }

    /** The receive side's drop count of {@code device} in {@code /proc/net/dev} (the fourth figure). */
    private static long rxDropped(List<String> lines, String device) {
        for (String line : lines) {
            if (line.startsWith(device + ":")) {
                String[] figures = line.substring(device.length() + 1).strip().split("\\s+");
                return Long.parseLong(figures[3]);
            }
        }
        throw new LabException("no " + device + " in the guest's counters");
    }
}
