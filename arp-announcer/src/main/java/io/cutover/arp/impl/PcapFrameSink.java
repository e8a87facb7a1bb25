package io.cutover.arp.impl;

import io.cutover.arp.AnnounceException;
import io.cutover.arp.AnnouncerUnavailableException;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/** Frames to and from an interface through a Pcap4J (libpcap) handle. */
public final class PcapFrameSink implements FrameSink {
    /** Pcap4J's system property naming the libpcap to load. */
    static final String LIBRARY_PROPERTY = "org.pcap4j.core.pcapLibName";
    private static final Pattern IFACE_NAME = Pattern.compile("[A-Za-z0-9_.@:-]{1,15}");
    private static final List<Path> VERSIONED_LIBPCAP = List.of(
            Path.of("/usr/lib/x86_64-linux-gnu/libpcap.so.0.8"),
            Path.of("/usr/lib/aarch64-linux-gnu/libpcap.so.0.8"),
            Path.of("/usr/lib64/libpcap.so.1"),
            Path.of("/usr/lib/libpcap.so.1"));

    /** How long {@link #receive} sleeps between looks at the (non-blocking) handle. */
    private static final long POLL_NANOS = 200_000;

    private final String iface;
    private final PcapHandle handle;

    private PcapFrameSink(String iface, PcapHandle handle) {
        this.iface = iface;
        this.handle = handle;
    }

    /**
     * Opens {@code iface} in the calling thread's network namespace, receiving only ARP (for probes).
     *
     * @throws IllegalArgumentException      a bad or unknown interface name
     * @throws AnnouncerUnavailableException libpcap is missing or opening is not permitted
     */
    public static PcapFrameSink open(String iface) {
        if (iface == null || !IFACE_NAME.matcher(iface).matches()) {
            throw new IllegalArgumentException("bad interface name '" + iface + "'");
        }
        chooseLibpcap();
        PcapHandle handle;
        try {
            handle = new PcapHandle.Builder(iface)
                    .snaplen(128)
                    .promiscuousMode(PcapNetworkInterface.PromiscuousMode.PROMISCUOUS)
                    .timeoutMillis(5)
                    .immediateMode(true)
                    .build();
        } catch (PcapNativeException e) {
            throw openFailure(iface, e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new AnnouncerUnavailableException("libpcap cannot be loaded (Debian package libpcap0.8): " + e.getMessage(), e);
        }
        try {
            handle.setFilter("arp or (vlan and arp)", BpfProgram.BpfCompileMode.OPTIMIZE);
            handle.setDirection(PcapHandle.PcapDirection.IN);
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
        } catch (PcapNativeException | NotOpenException e) {
            handle.close();
            throw new AnnounceException("cannot set the receive filter on " + iface + ": " + e.getMessage(), e);
        }
        return new PcapFrameSink(iface, handle);
    }

    private static RuntimeException openFailure(String iface, PcapNativeException e) {
        String message = String.valueOf(e.getMessage());
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("no such device") || lower.contains("doesn't exist") || lower.contains("no such file")) {
            return new IllegalArgumentException("no interface '" + iface + "' in this network namespace");
        }
        if (lower.contains("permi")) {
            return new AnnouncerUnavailableException("not permitted to open " + iface + " (needs root or CAP_NET_RAW): " + message, e);
        }
        return new AnnounceException("cannot open " + iface + ": " + message, e);
    }

    /** Points Pcap4J at the versioned libpcap when the unversioned one (a -dev package) is absent. */
    private static void chooseLibpcap() {
        if (System.getProperty(LIBRARY_PROPERTY) != null) {
            return;
        }
        for (Path dir : List.of(Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/lib/aarch64-linux-gnu"), Path.of("/usr/lib"))) {
            if (Files.exists(dir.resolve("libpcap.so"))) {
                return;
            }
        }
        VERSIONED_LIBPCAP.stream().filter(Files::exists).findFirst()
                .ifPresent(lib -> System.setProperty(LIBRARY_PROPERTY, lib.toString()));
    }

    @Override
    public void send(byte[] frame) {
        try {
            handle.sendPacket(frame);
        } catch (PcapNativeException | NotOpenException e) {
            throw new AnnounceException("sending a frame on " + iface + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] receive(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            while (true) {
                byte[] frame = handle.getNextRawPacket();
                if (frame != null) {
                    return frame;
                }
                if (System.nanoTime() >= deadline || Thread.currentThread().isInterrupted()) {
                    return null;
                }
                LockSupport.parkNanos(POLL_NANOS);
            }
        } catch (NotOpenException e) {
            throw new AnnounceException("the handle on " + iface + " is closed", e);
        }
    }

    @Override
    public void close() {
        handle.close();
    }
}
