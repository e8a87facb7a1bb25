package io.cutover.cli;

import io.cutover.arp.AllowList;
import io.cutover.arp.AnnounceForm;
import io.cutover.arp.AnnounceReport;
import io.cutover.arp.Announcement;
import io.cutover.arp.Announcer;
import io.cutover.arp.AnnouncerUnavailableException;
import io.cutover.arp.MacAddress;
import io.cutover.arp.ProbeResult;
import io.cutover.arp.Schedule;
import io.cutover.lab.MissingPrerequisiteException;
import io.cutover.support.IpLiteral;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/**
 * {@code cutover announce}: sends gratuitous ARP, RARP and unsolicited NA for a moved VM, on QEMU's schedule
 * by default. Run it in the network namespace of the interface ({@code ip netns exec}).
 */
@Command(name = "announce", mixinStandardHelpOptions = true,
        description = "Send gratuitous ARP, RARP and unsolicited NA for a moved VM.")
final class AnnounceCommand implements Callable<Integer> {

    @Option(names = "--iface", required = true, paramLabel = "IF", description = "The interface to send on.")
    String iface;

    @Option(names = "--mac", required = true, paramLabel = "MAC", description = "The VM's MAC address.")
    String mac;

    @Option(names = "--ip", split = ",", paramLabel = "ADDR", description = "The VM's IPv4/IPv6 addresses (comma-separated).")
    List<String> ips = new ArrayList<>();

    @Option(names = "--form", defaultValue = "request,na", paramLabel = "FORM",
            description = "request, reply, rarp, na or all; a comma-separated list (default: ${DEFAULT-VALUE}: "
                    + "ARP announcements for IPv4 addresses, NAs for IPv6 ones).")
    String form;

    @Option(names = "--vlan", defaultValue = "0", paramLabel = "ID", description = "802.1Q VLAN id 1..4094 (default: untagged).")
    int vlan;

    @Option(names = "--rounds", defaultValue = "5", description = "Rounds (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--initial", defaultValue = "50ms", converter = DurationConverter.class,
            description = "Gap after the first round (default: ${DEFAULT-VALUE}).")
    Duration initial;

    @Option(names = "--step", defaultValue = "100ms", converter = DurationConverter.class,
            description = "Added to the gap after each round (default: ${DEFAULT-VALUE}).")
    Duration step;

    @Option(names = "--max", defaultValue = "550ms", converter = DurationConverter.class,
            description = "The longest gap (default: ${DEFAULT-VALUE}).")
    Duration max;

    @Option(names = "--schedule", defaultValue = "qemu", paramLabel = "KIND",
            description = "qemu (--rounds/--initial/--step/--max) or keepalived (--rounds back to back now, again after "
                    + "--delay, then --refreshes rounds every --refresh) (default: ${DEFAULT-VALUE}).")
    String scheduleKind;

    @Option(names = "--delay", defaultValue = "5s", converter = DurationConverter.class,
            description = "keepalived: when the second burst leaves; 0 for none (default: ${DEFAULT-VALUE}).")
    Duration delay;

    @Option(names = "--refreshes", defaultValue = "0", description = "keepalived: periodic refresh rounds after the bursts (default: ${DEFAULT-VALUE}).")
    int refreshes;

    @Option(names = "--refresh", defaultValue = "0", converter = DurationConverter.class,
            description = "keepalived: the refresh interval (default: none).")
    Duration refresh;

    @Option(names = "--allow", split = ",", paramLabel = "ADDR",
            description = "The addresses that may be announced, such as the plan's VM addresses (default: the --ip list).")
    List<String> allow;

    @Option(names = "--probe", description = "Probe each IPv4 address first (RFC 5227); announce nothing on a conflict.")
    boolean probe;

    @Option(names = "--probe-wait", defaultValue = "500ms", converter = DurationConverter.class,
            description = "How long a probe listens for another owner (default: ${DEFAULT-VALUE}).")
    Duration probeWait;

    @Override
    public Integer call() throws Exception {
        MacAddress vmMac = MacAddress.parse(mac);
        List<InetAddress> addresses = parseAddresses(ips, "--ip");
        Set<AnnounceForm> forms = AnnounceForm.parse(form);
        if (addresses.isEmpty() && !forms.contains(AnnounceForm.RARP)) {
            throw new IllegalArgumentException("--ip is required unless --form includes rarp");
        }
        Announcement announcement = Announcement.of(vmMac, addresses, forms).withVlan(vlan);
        Schedule schedule = switch (scheduleKind.toLowerCase(Locale.ROOT)) {
            case "qemu" -> Schedule.qemu(rounds, initial, step, max);
            case "keepalived" -> Schedule.keepalived(rounds, delay, refreshes, refresh);
            default -> throw new IllegalArgumentException("unknown --schedule '" + scheduleKind + "' (expected qemu or keepalived)");
        };
        List<InetAddress> allowed = allow == null ? addresses : parseAddresses(allow, "--allow");
        AllowList allowList = allowed.isEmpty() ? AllowList.none() : AllowList.of(allowed);
        allowList.check(announcement);
        try (Announcer announcer = Announcer.pcap(iface, allowList)) {
            if (probe) {
                for (Inet4Address address : announcement.ipv4()) {
                    ProbeResult result = announcer.probe(address, vmMac, probeWait).toCompletableFuture().get();
                    if (result.conflict()) {
                        System.err.println("cutover: " + address.getHostAddress() + " is owned by "
                                + result.owner().orElseThrow() + " on " + iface + "; nothing announced");
                        return ExitCode.FAILED;
                    }
                }
            }
            AnnounceReport report = announcer.announce(announcement, schedule).toCompletableFuture().get();
            System.out.printf(Locale.ROOT, "announced %s on %s: %d rounds, %d frames, first frame %d us after the call%n",
                    announcement, iface, report.rounds(), report.framesSent(), report.firstFrameDelay().toNanos() / 1000);
            return ExitCode.OK;
        } catch (AnnouncerUnavailableException e) {
            throw new MissingPrerequisiteException(e.getMessage());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }


    /** Parses address literals only (never a name lookup). */
    static List<InetAddress> parseAddresses(List<String> texts, String option) {
        List<InetAddress> addresses = new ArrayList<>();
        for (String text : texts) {
            try {
                addresses.add(IpLiteral.parse(text));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad " + option + " address '" + text.strip()
                        + "': expected an IPv4 or IPv6 literal", e);
            }
        }
        return addresses;
    }

}
