package io.cutover.agent;

import io.cutover.api.MigrationRequest;
import io.cutover.migration.MigrationOptions;
import io.cutover.migration.MigrationSettings;
import io.cutover.migration.guest.GuestSpec;
import io.cutover.support.IpLiteral;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What an orchestrator asks for when it creates a cutover.
 *
 * @param vm           the VM's name
 * @param mac          its MAC address
 * @param addresses    its IPv4/IPv6 addresses before the move
 * @param source       the host it runs on
 * @param destination  the host it moves to
 * @param mode         {@code lan} (same subnet) or {@code wan} (new addresses at the destination)
 * @param newAddresses its addresses after a WAN move (empty for LAN)
 * @param dnsName      its DNS name, for WAN moves (or {@code null})
 * @param memoryMiB    the memory the destination must reserve
 * @param migrator     what the agent migrates the VM with (the built-in migrator, or QEMU over QMP), or {@code
 *                     null} when the orchestrator migrates and reports the phases
 * @param destinationPort the VM's port on the destination's switch, at most {@value #MAX_PORT_NAME} characters
 *                     (default: the VM's name, whatever its length)
 * @param switchoverReported whether the orchestrator reports the switchover (default: yes). {@code false} when it
 *                     cannot see it (libvirt's hooks): the cutover then passes over SWITCHOVER without holding or
 *                     redirecting anything, and its report says the blackout was not protected
 * @param libvirt      the libvirt domain whose migration the orchestrator runs itself and both hosts' agents follow
 *                     through libvirt's lifecycle events, or {@code null}; not with {@code migrator}
 */
public record CutoverRequest(String vm, String mac, List<String> addresses, String source, String destination,
                             String mode, List<String> newAddresses, String dnsName, long memoryMiB,
                             Migrator migrator, String destinationPort, Boolean switchoverReported, Libvirt libvirt) {

    /** A request without a libvirt domain to follow. */
    public CutoverRequest(String vm, String mac, List<String> addresses, String source, String destination,
                          String mode, List<String> newAddresses, String dnsName, long memoryMiB, Migrator migrator,
                          String destinationPort, Boolean switchoverReported) {
        this(vm, mac, addresses, source, destination, mode, newAddresses, dnsName, memoryMiB, migrator,
                destinationPort, switchoverReported, null);
    }

    /** This request between {@code source} and {@code destination}, every other field as it is. */
    public CutoverRequest between(String source, String destination) {
        return new CutoverRequest(vm, mac, addresses, source, destination, mode, newAddresses, dnsName, memoryMiB,
                migrator, destinationPort, switchoverReported, libvirt);
    }

    /** The longest port name Open vSwitch takes (a Linux interface name). */
    public static final int MAX_PORT_NAME = 15;

    /**
     * What the source's agent migrates the VM with: the built-in migrator (migration-core), to the destination agent's
     * migration address, or QEMU over QMP ({@code qemu}, and then no other field). The built-in migrator takes every
     * setting {@code cutover migrate send} takes, by the same name in camel case ({@code --rate-min} is
     * {@code rateMin}), read and checked by the same {@link MigrationSettings}; a setting left out has the default of
     * {@code migrate send}, except {@code integrity}.
     *
     * @param guest        the guest whose memory is migrated, such as {@code synthetic:size=64m,workload=hotset}
     * @param integrity    {@code sent_pages} or {@code full_memory} (default: the whole memory re-read and compared)
     * @param maxBandwidth the stream's cap in bytes/s with k/m/g suffixes, such as {@code 200m} (default: none)
     * @param channels     parallel migration connections (multifd), 1 to {@value MigrationOptions#MAX_CHANNELS}
     *                     (default: {@value MigrationOptions#DEFAULT_CHANNELS})
     * @param xbzrleCache  the size of the XBZRLE cache of sent pages with k/m/g suffixes, such as {@code 64m}
     *                     (default: none, XBZRLE off)
     * @param progressTimeout how long the migration may make no progress (a destination that takes no bytes)
     *                     before it aborts, such as {@code 10s} (default: {@value
     *                     MigrationOptions#DEFAULT_PROGRESS_TIMEOUT_S} s)
     * @param downtime     the downtime limit, such as {@code 300ms}
     * @param downtimeSteps Nova's downtime steps
     * @param downtimeStepDelay the time between downtime steps per GiB of guest memory, as Nova's
     * @param dynamicRate  Clark's dynamic rate limiting
     * @param rateMin      the dynamic rate's first and lowest rate, bytes/s with k/m/g suffixes
     * @param rateStep     what the dynamic rate adds to the dirty rate, bytes/s with k/m/g suffixes
     * @param autoConverge whether the guest is throttled when it dirties memory faster than it is sent
     * @param postCopy     whether a migration that does not converge goes on in post-copy
     * @param compress     {@code none} or {@code lz4}
     * @param maxRounds    pre-copy rounds before a forced switchover
     * @param timeout      the completion timeout, such as {@code 5m}
     * @param onTimeout    {@code abort}, {@code pause} or {@code postcopy}: what the completion timeout does
     * @param qemu         QEMU's migration of the VM's QEMU guest, or {@code null} for the built-in migrator
     */
    public record Migrator(String guest, String integrity, String maxBandwidth, Integer channels,
                           String xbzrleCache, String progressTimeout, String downtime, Integer downtimeSteps,
                           String downtimeStepDelay, Boolean dynamicRate, String rateMin, String rateStep,
                           Boolean autoConverge, Boolean postCopy, String compress, Integer maxRounds, String timeout,
                           String onTimeout, Qemu qemu) {

        /** The built-in migrator's {@code guest} with every setting left to its default. */
        public static Migrator builtIn(String guest) {
            return new Migrator(guest, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null);
        }

        /** QEMU's migration: no built-in setting. */
        public static Migrator byQemu(Qemu qemu) {
            return new Migrator(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, qemu);
        }

        /** Whether QEMU migrates the guest (else the built-in migrator does). */
        public boolean byQemu() {
            return qemu != null;
        }

        /** The built-in migrator's settings given, by {@link MigrationSettings} name. */
        public Map<String, String> settings() {
            Map<String, Object> given = new LinkedHashMap<>();
            given.put("integrity", integrity);
            given.put("maxBandwidth", maxBandwidth);
            given.put("channels", channels);
            given.put("xbzrleCache", xbzrleCache);
            given.put("progressTimeout", progressTimeout);
            given.put("downtime", downtime);
            given.put("downtimeSteps", downtimeSteps);
            given.put("downtimeStepDelay", downtimeStepDelay);
            given.put("dynamicRate", dynamicRate);
            given.put("rateMin", rateMin);
            given.put("rateStep", rateStep);
            given.put("autoConverge", autoConverge);
            given.put("postCopy", postCopy);
            given.put("compress", compress);
            given.put("maxRounds", maxRounds);
            given.put("timeout", timeout);
            given.put("onTimeout", onTimeout);
            Map<String, String> settings = new LinkedHashMap<>();
            given.forEach((name, value) -> {
                if (value != null) {
                    settings.put(name, String.valueOf(value));
                }
            });
            return settings;
        }

        /** The migration's options, read and checked by {@link MigrationSettings} as {@code migrate send}'s are. */
        public MigrationOptions.Builder options() {
            return MigrationSettings.read(settings(), name -> "migrator." + name);
        }

        Migrator validated() {
            if (qemu != null) {
                require(guest == null && settings().isEmpty(), "migrator",
                        "either the built-in migrator's fields or qemu, not both");
                return byQemu(qemu.validated());
            }
            try {
                GuestSpec.parse(guest == null ? "" : guest);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("migrator.guest: " + e.getMessage(), e);
            }
            Migrator withDefaults = new Migrator(guest, integrity == null ? "full_memory" : integrity, maxBandwidth,
                    channels == null ? MigrationOptions.DEFAULT_CHANNELS : channels, xbzrleCache, progressTimeout,
                    downtime, downtimeSteps, downtimeStepDelay, dynamicRate, rateMin, rateStep, autoConverge,
                    postCopy, compress, maxRounds, timeout, onTimeout, null);
            withDefaults.options();
            return withDefaults;
        }
    }

    /** Checks an optional size with k/m/g suffixes; the error starts with {@code field}. */
    private static void requireSize(String field, String size) {
        if (size != null) {
            GuestSpec.bytes(field, size);
        }
    }

    /**
     * QEMU's migration of the VM, driven over QMP by both hosts' agents (each finds the guest's QMP socket in its
     * {@code qemu.socket-dir}); the destination's QEMU was started with {@code -incoming defer}. Its settings have
     * the names and forms of the built-in migrator's ({@link Migrator}), each mapped onto QEMU's own: {@code downtime}
     * onto {@code downtime-limit}, {@code maxBandwidth} onto {@code max-bandwidth}, {@code channels} onto multifd
     * and {@code multifd-channels}, {@code xbzrleCache} onto the {@code xbzrle} capability and {@code
     * xbzrle-cache-size}, {@code autoConverge} and {@code postCopy} onto {@code auto-converge} and {@code
     * postcopy-ram}. The built-in migrator's other settings (its rate and completion policies, its integrity check)
     * are its own: QEMU's request refuses them as unknown fields.
     *
     * @param uri             where the destination's QEMU takes the stream: {@code tcp:HOST:PORT} on the underlay, or
     *                        {@code unix:/absolute/path}
     * @param downtime        the longest blackout QEMU may plan for, such as {@code 300ms} (default: QEMU's, 300 ms)
     * @param downtimeLimitMs {@code downtime} in ms, as earlier requests gave it; not with {@code downtime}
     * @param maxBandwidth    the stream's cap in bytes/s with k/m/g suffixes (default: the driver's, 10 GiB/s)
     * @param channels        multifd connections, 1 to {@value #MAX_CHANNELS} (default: 1, no multifd)
     * @param xbzrleCache     the XBZRLE cache with k/m/g suffixes, such as {@code 64m} (default: none, XBZRLE off)
     * @param autoConverge    whether QEMU may slow the guest down when it dirties memory faster than it is sent
     * @param postCopy        whether QEMU may switch to post-copy when pre-copy does not converge
     */
    public record Qemu(String uri, String downtime, Long downtimeLimitMs, String maxBandwidth, Integer channels,
                       String xbzrleCache, Boolean autoConverge, Boolean postCopy) {
        public static final int MAX_CHANNELS = 16;
        private static final Pattern TCP = Pattern.compile("tcp:(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9.-]+):[0-9]{1,5}");

        Qemu validated() {
            require(uri != null && (TCP.matcher(uri).matches() || uri.startsWith("unix:/")), "migrator.qemu.uri",
                    "tcp:HOST:PORT or unix:/absolute/path");
            require(downtimeLimitMs == null || downtimeLimitMs > 0, "migrator.qemu.downtimeLimitMs", "ms above zero");
            require(downtime == null || downtimeLimitMs == null, "migrator.qemu.downtime",
                    "downtime or downtimeLimitMs, not both");
            Long limitMs = downtimeLimitMs;
            if (downtime != null) {
                limitMs = io.cutover.support.Durations.parsePositive("migrator.qemu.downtime", downtime).toMillis();
                require(limitMs > 0, "migrator.qemu.downtime", "at least 1ms");
            }
            requireSize("migrator.qemu.maxBandwidth", maxBandwidth);
            requireSize("migrator.qemu.xbzrleCache", xbzrleCache);
            require(xbzrleCache == null || GuestSpec.bytes("xbzrleCache", xbzrleCache) >= 4096,
                    "migrator.qemu.xbzrleCache", "at least a page (4k)");
            int connections = channels == null ? 1 : channels;
            require(connections >= 1 && connections <= MAX_CHANNELS, "migrator.qemu.channels",
                    "1 to " + MAX_CHANNELS + " connections");
            return new Qemu(uri, null, limitMs, maxBandwidth, connections, xbzrleCache,
                    autoConverge != null && autoConverge, postCopy != null && postCopy);
        }

        /** What QEMU's driver is asked, for cutover {@code id} of {@code vm}. */
        public MigrationRequest request(String id, String vm) {
            return new MigrationRequest(id, vm, uri, Optional.ofNullable(downtimeLimitMs).map(Duration::ofMillis),
                    Optional.ofNullable(maxBandwidth).map(size -> GuestSpec.bytes("maxBandwidth", size)),
                    channels, autoConverge, postCopy,
                    Optional.ofNullable(xbzrleCache).map(size -> GuestSpec.bytes("xbzrleCache", size)));
        }
    }

    /**
     * The libvirt domain an orchestrator migrates itself ({@code virsh migrate --live}, Nova): the agents of both hosts
     * follow its lifecycle events through their {@code libvirt} section, and the plan's stages follow them (the
     * source's {@code Suspended Migrated} is the switchover, the destination's {@code Resumed Migrated} the
     * activation, the source's {@code Stopped Migrated} the migration's end).
     *
     * @param domain the domain's name at both hosts' libvirtd
     */
    public record Libvirt(String domain) {
        private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:+@-]{0,199}");

        Libvirt validated() {
            require(domain != null && DOMAIN.matcher(domain).matches(), "libvirt.domain",
                    "the libvirt domain's name, of letters, digits, '.', '_', ':', '+', '@' or '-'");
            return this;
        }
    }

    /** Whether the agents follow a libvirt domain's migration. */
    public boolean byLibvirt() {
        return libvirt != null;
    }

    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    /** The request with defaults filled in, or an {@link IllegalArgumentException} naming the bad field. */
    public CutoverRequest validated() {
        require(vm != null && NAME.matcher(vm).matches(), "vm", "a name of letters, digits, '.', '_' or '-'");
        require(mac != null && MAC.matcher(mac.toLowerCase(Locale.ROOT)).matches(), "mac", "a MAC like 02:00:c6:12:00:64");
        require(addresses != null && !addresses.isEmpty(), "addresses", "at least one address");
        addresses.forEach(a -> requireAddress(a, "addresses"));
        require(source != null && NAME.matcher(source).matches(), "source", "a host name");
        require(destination != null && NAME.matcher(destination).matches(), "destination", "a host name");
        require(!source.equals(destination), "destination", "a host other than the source (" + source + ")");
        String chosenMode = mode == null ? "lan" : mode.toLowerCase(Locale.ROOT);
        require(chosenMode.equals("lan") || chosenMode.equals("wan"), "mode", "lan or wan");
        List<String> after = newAddresses == null ? List.of() : newAddresses;
        after.forEach(a -> requireAddress(a, "newAddresses"));
        require(!chosenMode.equals("wan") || !after.isEmpty(), "newAddresses", "the VM's addresses at the destination (wan)");
        require(memoryMiB >= 0, "memoryMiB", "a number of MiB >= 0");
        require(destinationPort == null
                        || NAME.matcher(destinationPort).matches() && destinationPort.length() <= MAX_PORT_NAME,
                "destinationPort", "a port name of at most " + MAX_PORT_NAME + " letters, digits, '.', '_' or '-'");
        require(libvirt == null || migrator == null, "libvirt", "either libvirt (the orchestrator migrates and the "
                + "agents follow libvirt's events) or migrator (the agent migrates), not both");
        return new CutoverRequest(vm, mac.toLowerCase(Locale.ROOT), List.copyOf(addresses), source, destination,
                chosenMode, List.copyOf(after), dnsName, memoryMiB, migrator == null ? null : migrator.validated(),
                destinationPort == null ? vm : destinationPort, switchoverReported == null || switchoverReported,
                libvirt == null ? null : libvirt.validated());
    }

    private static void requireAddress(String address, String field) {
        require(address != null && address.matches("[0-9a-fA-F:.]+"), field, "IP addresses, not '" + address + "'");
        try {
            IpLiteral.parse(address);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": '" + address + "' is not an IP address");
        }
    }

    private static void require(boolean ok, String field, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(field + ": expected " + expected);
        }
    }
}
