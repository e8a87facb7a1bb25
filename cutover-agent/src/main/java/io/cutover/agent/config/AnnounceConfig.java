package io.cutover.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.cutover.arp.AnnounceForm;
import io.cutover.arp.Schedule;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code announce} section of {@code host.yaml}: the announcements of the VM's new location, sent once the SDN
 * commit is confirmed.
 *
 * <pre>
 * announce:
 *   via: interface                  # interface (default): the frames leave by `interface`; controller: the SDN
 *                                   # controller sends them into the VM's new switch from the VM's own port (an
 *                                   # OpenFlow packet-out; needs the sdn section), where a real host's interface is not
 *   interface: eth0                 # where the frames leave (via: interface)
 *   netns: lab-x-hostB              # optional: the network namespace of that interface
 *   forms: [rarp, request, na]      # default: request, na
 *   schedule: qemu                  # qemu (5 rounds, 50..550 ms apart), keepalived (5 + 5 after 5 s) or once
 *   verify-timeout: 2s              # without the sdn section: how long announce.verify asks the moved VM for its
 *                                   # IPv4 address by ARP probes from `interface` before the cutover ends UNVERIFIED
 * </pre>
 *
 * @param iface    the interface, or {@code null} when the controller sends the frames
 * @param netns    its namespace, or {@code null} for the agent's own
 * @param forms    the frames sent
 * @param schedule the rounds
 * @param verifyTimeout how long {@code announce.verify} waits for the VM's answer (1 ms to 30 s)
 */
public record AnnounceConfig(String iface, String netns, Set<AnnounceForm> forms, String schedule,
                             Duration verifyTimeout) {
    public static final String DEFAULT_SCHEDULE = "qemu";
    public static final Duration DEFAULT_VERIFY_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration MAX_VERIFY_TIMEOUT = Duration.ofSeconds(30);

    /** Whether the SDN controller sends the frames from the VM's port, rather than this host from an interface. */
    public boolean viaController() {
        return iface == null;
    }

    /** The schedule called {@link #schedule()}. */
    public Schedule rounds() {
        return switch (schedule) {
            case "keepalived" -> Schedule.keepalived();
            case "once" -> Schedule.once();
            default -> Schedule.qemu();
        };
    }

    /** The section's fields, before validation. */
    static final class Raw {
        @JsonProperty("via")
        String via;
        @JsonProperty("interface")
        String iface;
        @JsonProperty("netns")
        String netns;
        @JsonProperty("forms")
        java.util.List<String> forms;
        @JsonProperty("schedule")
        String schedule;
        @JsonProperty("verify-timeout")
        String verifyTimeout;

        AnnounceConfig validate(Keys keys) {
            String how = via == null ? "interface" : via.strip().toLowerCase(Locale.ROOT);
            if (!Set.of("interface", "controller").contains(how)) {
                throw keys.bad("announce.via", "expected interface or controller, got " + Keys.quoted(via));
            }
            if (how.equals("controller") && (iface != null || netns != null)) {
                throw keys.bad("announce.via", "controller sends from the VM's port: no interface or netns goes with it");
            }
            String name = how.equals("controller") ? null
                    : keys.required("announce.interface", iface, "the interface the announcements leave by");
            Set<AnnounceForm> chosen = EnumSet.noneOf(AnnounceForm.class);
            if (forms == null || forms.isEmpty()) {
                chosen.addAll(io.cutover.arp.Announcement.DEFAULT_FORMS);
            } else {
                for (String form : forms) {
                    try {
                        chosen.addAll(AnnounceForm.parse(form));
                    } catch (IllegalArgumentException e) {
                        throw keys.bad("announce.forms", e.getMessage());
                    }
                }
            }
            String kind = schedule == null ? DEFAULT_SCHEDULE : schedule.strip().toLowerCase(Locale.ROOT);
            if (!Set.of("qemu", "keepalived", "once").contains(kind)) {
                throw keys.bad("announce.schedule", "expected qemu, keepalived or once, got " + Keys.quoted(schedule));
            }
            Duration verifyLimit = keys.duration("announce.verify-timeout", verifyTimeout, DEFAULT_VERIFY_TIMEOUT);
            if (verifyLimit.compareTo(MAX_VERIFY_TIMEOUT) > 0) {
                throw keys.bad("announce.verify-timeout", "at most " + MAX_VERIFY_TIMEOUT.toSeconds() + " s");
            }
            return new AnnounceConfig(name, netns == null || netns.isBlank() ? null : netns.strip(),
                    Set.copyOf(chosen), kind, verifyLimit);
        }
    }
}
