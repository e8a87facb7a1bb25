package io.cutover.demo;

import io.cutover.lab.HostSwitch;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a guest's port on its host's switch carried, as {@code ovs-ofctl dump-ports} counts it: frames the switch
 * handed to the guest's tap ({@code tx}), those the tap refused because the guest did not read them
 * ({@code txDropped}), and frames the guest sent ({@code rx}). Read before and after a move, the difference tells a
 * probe lost in the network from one the guest was given and did not answer.
 */
record GuestPortCounters(long rx, long tx, long txDropped) {

    private static final Pattern RX = Pattern.compile("rx pkts=(\\d+)");
    private static final Pattern TX = Pattern.compile("tx pkts=(\\d+), bytes=\\d+, drop=(\\d+)");

    static final GuestPortCounters NONE = new GuestPortCounters(0, 0, 0);

    /** The counters of {@code port} on {@code hostSwitch}; {@link #NONE} if the port is not (or no longer) there. */
    static GuestPortCounters read(HostSwitch hostSwitch, String port) {
        var dumped = hostSwitch.ofctl("-O", "OpenFlow13", "dump-ports", hostSwitch.bridge(), port);
        if (!dumped.ok()) {
            return NONE;
        }
        Matcher rx = RX.matcher(dumped.stdout());
        Matcher tx = TX.matcher(dumped.stdout());
        if (!rx.find() || !tx.find()) {
            return NONE;
        }
        return new GuestPortCounters(Long.parseLong(rx.group(1)), Long.parseLong(tx.group(1)),
                Long.parseLong(tx.group(2)));
    }

    GuestPortCounters minus(GuestPortCounters before) {
        return new GuestPortCounters(rx - before.rx, tx - before.tx, txDropped - before.txDropped);
    }

    /** How the timeline words it. */
    String describe(String port, String host) {
        return "guest's port " + port + " on " + host + ": " + tx + " frames to the guest (" + txDropped
                + " dropped: not read), " + rx + " from it";
    }
}
