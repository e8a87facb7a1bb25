package io.cutover.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a {@link QemuGuest} is: its name, network identity, memory, echo ports, workload and machine. Immutable;
 * made by a {@link Builder}, which checks every value (addresses must lie in the lab's 198.18.0.0/15).
 *
 * <pre>{@code
 * GuestSpec spec = GuestSpec.builder("vm1", "198.18.0.100/24").gateway("198.18.0.1")
 *         .udpEcho(7).tcpEcho(7).build();
 * GuestSpec destination = spec.toBuilder().incoming(true).build();
 * }</pre>
 */
public final class GuestSpec {
    /** Guest memory when none is given, MiB. */
    public static final int DEFAULT_MEMORY_MIB = 128;
    /** The least memory the guest's kernel boots in, MiB. */
    public static final int MIN_MEMORY_MIB = 64;
    /** How long the guest may take from QEMU's start to its "ready" line when none is given. */
    public static final Duration DEFAULT_BOOT_TIMEOUT = Duration.ofSeconds(60);
    /** Ports of each protocol the echo server can listen on at most. */
    public static final int MAX_PORTS = 8;

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,10}");
    private static final Pattern TAP = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    /** The machine QEMU emulates. */
    public enum Machine {
        /** QEMU's minimal machine: no PCI, no firmware; boots in 2-3 s under TCG. */
        MICROVM("microvm,acpi=on", "virtio-net-device"),
        /** The i440FX PC, with PCI and SeaBIOS: slower to boot, closer to a production VM. */
        PC("pc", "virtio-net-pci");

        private final String qemuMachine;
        private final String netDevice;

        Machine(String qemuMachine, String netDevice) {
            this.qemuMachine = qemuMachine;
            this.netDevice = netDevice;
        }

        /** The value of QEMU's {@code -M}. */
        public String qemuMachine() {
            return qemuMachine;
        }

        /** The virtio network device this machine takes. */
        public String netDevice() {
            return netDevice;
        }
    }

    /**
     * A workload that writes memory, for migrations: one byte in one page after another over a region.
     *
     * @param mebibytes      the region, MiB
     * @param pagesPerSecond pages written a second, 0 for as fast as the guest's CPU goes
     */
    public record Dirty(int mebibytes, long pagesPerSecond) {
        public Dirty {
            if (mebibytes < 1 || pagesPerSecond < 0) {
                throw new IllegalArgumentException("dirty: the region must be at least 1 MiB and the rate at least 0,"
                        + " was " + mebibytes + " MiB at " + pagesPerSecond + " pages/s");
            }
        }
    }

    private final String name;
    private final String mac;
    private final String ipv4;
    private final String gateway;
    private final int memoryMiB;
    private final List<Integer> udpEchoPorts;
    private final List<Integer> tcpEchoPorts;
    private final Dirty dirty;
    private final Machine machine;
    private final boolean incoming;
    private final Path qmpSocket;
    private final String tap;
    private final String bridge;
    private final Duration bootTimeout;

    private GuestSpec(Builder builder) {
        this.name = builder.name;
        this.ipv4 = builder.ipv4;
        this.mac = builder.mac != null ? builder.mac : macOf(builder.ipv4);
        this.gateway = builder.gateway;
        this.memoryMiB = builder.memoryMiB;
        this.udpEchoPorts = List.copyOf(builder.udpEchoPorts);
        this.tcpEchoPorts = List.copyOf(builder.tcpEchoPorts);
        this.dirty = builder.dirty;
        this.machine = builder.machine;
        this.incoming = builder.incoming;
        this.qmpSocket = builder.qmpSocket;
        this.tap = builder.tap != null ? builder.tap : "tap-" + builder.name;
        this.bridge = builder.bridge;
        this.bootTimeout = builder.bootTimeout;
        if (dirty != null && dirty.mebibytes() > memoryMiB - MIN_MEMORY_MIB / 2) {
            throw new IllegalArgumentException("dirty: " + dirty.mebibytes() + " MiB does not fit in a guest of "
                    + memoryMiB + " MiB (the kernel and the initramfs need " + MIN_MEMORY_MIB / 2 + " MiB)");
        }
    }

    /**
     * A builder for the guest {@code name} with the address {@code ipv4}.
     *
     * @param name a short name: a lower-case letter, then up to 10 lower-case letters, digits or '-'
     * @param ipv4 address and prefix in 198.18.0.0/15, such as {@code 198.18.0.100/24}
     */
    public static Builder builder(String name, String ipv4) {
        return new Builder(name, ipv4);
    }

    /** A builder holding this spec's values, to derive another (a migration's destination). */
    public Builder toBuilder() {
        Builder builder = new Builder(name, ipv4).mac(mac).memoryMiB(memoryMiB).machine(machine).incoming(incoming)
                .tap(tap).bootTimeout(bootTimeout);
        udpEchoPorts.forEach(builder::udpEcho);
        tcpEchoPorts.forEach(builder::tcpEcho);
        builder.gateway = gateway;
        builder.dirty = dirty;
        builder.qmpSocket = qmpSocket;
        builder.bridge = bridge;
        return builder;
    }

    public String name() {
        return name;
    }

    /** The guest's MAC address, lower case; by default {@code 02:00:} and the four bytes of its IPv4 address. */
    public String mac() {
        return mac;
    }

    /** Address and prefix, such as {@code 198.18.0.100/24}. */
    public String ipv4() {
        return ipv4;
    }

    /** The address alone, such as {@code 198.18.0.100}. */
    public String ipv4Address() {
        return ipv4.substring(0, ipv4.indexOf('/'));
    }

    public Optional<String> gateway() {
        return Optional.ofNullable(gateway);
    }

    public int memoryMiB() {
        return memoryMiB;
    }

    /** The ports the guest answers UDP datagrams on, with the same payload. */
    public List<Integer> udpEchoPorts() {
        return udpEchoPorts;
    }

    /** The ports the guest echoes TCP streams on, any number of clients at once. */
    public List<Integer> tcpEchoPorts() {
        return tcpEchoPorts;
    }

    public Optional<Dirty> dirty() {
        return Optional.ofNullable(dirty);
    }

    public Machine machine() {
        return machine;
    }

    /** Whether QEMU starts as a migration's destination ({@code -incoming defer}) instead of booting. */
    public boolean incoming() {
        return incoming;
    }

    /** Where QEMU's QMP socket goes; by default in the guest's directory in the lab. */
    public Optional<Path> qmpSocket() {
        return Optional.ofNullable(qmpSocket);
    }

    /** The tap interface's name in the host's namespace; by default {@code tap-} and the guest's name. */
    public String tap() {
        return tap;
    }

    /** The Linux bridge in the host's namespace the tap joins, if any (else the caller plugs it). */
    public Optional<String> bridge() {
        return Optional.ofNullable(bridge);
    }

    public Duration bootTimeout() {
        return bootTimeout;
    }

    @Override
    public String toString() {
        return "guest " + name + " " + ipv4 + " " + mac + " " + machine.name().toLowerCase(Locale.ROOT) + " "
                + memoryMiB + " MiB" + (incoming ? " incoming" : "");
    }

    private static String macOf(String ipv4) {
        int[] bytes = octets(ipv4.substring(0, ipv4.indexOf('/')));
        return String.format("02:00:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2], bytes[3]);
    }

    private static int[] octets(String address) {
        Matcher m = IPV4.matcher(address);
        if (!m.matches()) {
            return null;
        }
        int[] octets = new int[4];
        for (int i = 0; i < 4; i++) {
            octets[i] = Integer.parseInt(m.group(i + 1));
            if (octets[i] > 255) {
                return null;
            }
        }
        return octets;
    }

    /** Whether {@code address} lies in 198.18.0.0/15, the only range lab addresses come from. */
    private static boolean inLabRange(int[] octets) {
        return octets != null && octets[0] == 198 && (octets[1] == 18 || octets[1] == 19);
    }

    /** Builds a {@link GuestSpec}; each setter checks its value and names it when it is wrong. */
    public static final class Builder {
        private final String name;
        private final String ipv4;
        private String mac;
        private String gateway;
        private int memoryMiB = DEFAULT_MEMORY_MIB;
        private final List<Integer> udpEchoPorts = new ArrayList<>();
        private final List<Integer> tcpEchoPorts = new ArrayList<>();
        private Dirty dirty;
        private Machine machine = Machine.MICROVM;
        private boolean incoming;
        private Path qmpSocket;
        private String tap;
        private String bridge;
        private Duration bootTimeout = DEFAULT_BOOT_TIMEOUT;

        private Builder(String name, String ipv4) {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("bad guest name '" + name
                        + "': use a lower-case letter, then up to 10 lower-case letters, digits or '-'");
            }
            String[] addressAndPrefix = ipv4 == null ? new String[0] : ipv4.split("/", -1);
            int prefix = addressAndPrefix.length == 2 && addressAndPrefix[1].matches("\\d{1,2}")
                    ? Integer.parseInt(addressAndPrefix[1]) : -1;
            if (prefix < 15 || prefix > 30 || !inLabRange(octets(addressAndPrefix[0]))) {
                throw new IllegalArgumentException("bad guest address '" + ipv4
                        + "': give an address in 198.18.0.0/15 with a prefix from /15 to /30, such as 198.18.0.100/24");
            }
            this.name = name;
            this.ipv4 = ipv4;
        }

        /** The guest's MAC address: six lower-case hex pairs, unicast. */
        public Builder mac(String mac) {
            String lower = Objects.requireNonNull(mac, "mac").toLowerCase(Locale.ROOT);
            if (!MAC.matcher(lower).matches() || (Integer.parseInt(lower.substring(0, 2), 16) & 1) != 0) {
                throw new IllegalArgumentException("bad MAC address '" + mac + "': give a unicast address such as "
                        + "02:00:c6:12:00:64");
            }
            this.mac = lower;
            return this;
        }

        /** The guest's default gateway, in 198.18.0.0/15. */
        public Builder gateway(String gateway) {
            if (!inLabRange(octets(Objects.requireNonNull(gateway, "gateway")))) {
                throw new IllegalArgumentException("bad gateway '" + gateway + "': give an address in 198.18.0.0/15");
            }
            this.gateway = gateway;
            return this;
        }

        /** Guest memory, MiB; default {@value GuestSpec#DEFAULT_MEMORY_MIB}. */
        public Builder memoryMiB(int memoryMiB) {
            if (memoryMiB < MIN_MEMORY_MIB || memoryMiB > 65536) {
                throw new IllegalArgumentException("memory must be " + MIN_MEMORY_MIB + " to 65536 MiB, was "
                        + memoryMiB);
            }
            this.memoryMiB = memoryMiB;
            return this;
        }

        /** Adds a port the guest echoes UDP datagrams on. */
        public Builder udpEcho(int port) {
            addPort(udpEchoPorts, port, "UDP");
            return this;
        }

        /** Adds a port the guest echoes TCP streams on. */
        public Builder tcpEcho(int port) {
            addPort(tcpEchoPorts, port, "TCP");
            return this;
        }

        private static void addPort(List<Integer> ports, int port, String protocol) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(protocol + " echo port must be 1 to 65535, was " + port);
            }
            if (ports.size() == MAX_PORTS) {
                throw new IllegalArgumentException("at most " + MAX_PORTS + " " + protocol + " echo ports");
            }
            if (!ports.contains(port)) {
                ports.add(port);
            }
        }

        /** Makes the guest write {@code mebibytes} of memory, {@code pagesPerSecond} pages a second (0: flat out). */
        public Builder dirty(int mebibytes, long pagesPerSecond) {
            this.dirty = new Dirty(mebibytes, pagesPerSecond);
            return this;
        }

        /** The machine; default {@link Machine#MICROVM}. */
        public Builder machine(Machine machine) {
            this.machine = Objects.requireNonNull(machine, "machine");
            return this;
        }

        /** Starts QEMU as a migration's destination, waiting for {@code migrate-incoming} over QMP. */
        public Builder incoming(boolean incoming) {
            this.incoming = incoming;
            return this;
        }

        /** Where QEMU's QMP socket goes (a path without commas, under 108 bytes). */
        public Builder qmpSocket(Path qmpSocket) {
            String path = Objects.requireNonNull(qmpSocket, "qmpSocket").toAbsolutePath().toString();
            if (path.contains(",") || path.length() > 107) {
                throw new IllegalArgumentException("bad QMP socket path '" + path
                        + "': it must have no comma and fewer than 108 bytes");
            }
            this.qmpSocket = Path.of(path);
            return this;
        }

        /** The tap interface's name (up to 15 letters, digits, '_', '.' or '-'). */
        public Builder tap(String tap) {
            if (tap == null || !TAP.matcher(tap).matches()) {
                throw new IllegalArgumentException("bad tap name '" + tap
                        + "': use up to 15 letters, digits, '_', '.' or '-'");
            }
            this.tap = tap;
            return this;
        }

        /** The Linux bridge in the host's namespace that the tap joins before QEMU starts. */
        public Builder bridge(String bridge) {
            if (bridge == null || !TAP.matcher(bridge).matches()) {
                throw new IllegalArgumentException("bad bridge name '" + bridge + "'");
            }
            this.bridge = bridge;
            return this;
        }

        /** How long the guest may take to say it is ready; default 60 s. */
        public Builder bootTimeout(Duration bootTimeout) {
            if (bootTimeout == null || bootTimeout.isNegative() || bootTimeout.isZero()) {
                throw new IllegalArgumentException("the boot timeout must be positive, was " + bootTimeout);
            }
            this.bootTimeout = bootTimeout;
            return this;
        }

        public GuestSpec build() {
            return new GuestSpec(this);
        }
    }
}
