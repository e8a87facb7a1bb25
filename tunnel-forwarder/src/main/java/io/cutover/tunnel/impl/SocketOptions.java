package io.cutover.tunnel.impl;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The Linux socket options Netty does not offer, through JNA: path MTU discovery "do" (DF set, never fragmented
 * locally, {@code EMSGSIZE} instead) on the tunnel's socket, the kernel's path MTU toward a peer (what it
 * learned from ICMP fragmentation-needed / packet-too-big on the underlay), and a socket's drops.
 */
public final class SocketOptions {
    static final int IPPROTO_IP = 0;
    static final int IPPROTO_IPV6 = 41;
    static final int IP_MTU_DISCOVER = 10;
    static final int IP_MTU = 14;
    static final int IPV6_MTU_DISCOVER = 23;
    static final int IPV6_MTU = 24;
    /** {@code IP_PMTUDISC_DO} and {@code IPV6_PMTUDISC_DO}: set DF, refuse what is larger than the path MTU. */
    public static final int PMTUDISC_DO = 2;
    static final int SOL_SOCKET = 1;
    /** {@code SO_MEMINFO}: the socket's memory counters, {@code SK_MEMINFO_VARS} unsigned 32-bit values. */
    static final int SO_MEMINFO = 55;
    static final int SK_MEMINFO_VARS = 9;
    /** The index of {@code SK_MEMINFO_DROPS} (the socket's {@code sk_drops}) in {@link #SO_MEMINFO}'s answer. */
    static final int SK_MEMINFO_DROPS = 8;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_DGRAM = 2;
    private static final int IFNAMSIZ = 16;
    private static final long SIOCGIFHWADDR = 0x8927;

    private SocketOptions() {
    }

    /**
     * Sets DF on everything the socket {@code fd} sends (IPv4, and IPv6 where the socket is IPv6). Returns whether
     * the IPv4 option (which dual-stack sockets use for IPv4 peers) was set.
     */
    public static boolean setDontFragment(int fd) {
        boolean v4 = set(fd, IPPROTO_IP, IP_MTU_DISCOVER, PMTUDISC_DO);
        set(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, PMTUDISC_DO);
        return v4;
    }

    /** The socket's IPv4 path MTU discovery mode ({@link #PMTUDISC_DO} once {@link #setDontFragment} ran), or -1. */
    public static int dontFragmentMode(int fd) {
        return get(fd, IPPROTO_IP, IP_MTU_DISCOVER).orElse(-1);
    }

    /**
     * What the kernel dropped for the socket {@code fd} (its {@code sk_drops}: mostly a full receive buffer), the
     * counter {@code /proc/net/udp}'s {@code drops} column shows, in one call instead of a table to parse. Empty when
     * it cannot be read. The kernel's counter is 32 bits and wraps ({@link Wrapping32}).
     */
    public static OptionalLong drops(int fd) {
        int[] meminfo = new int[SK_MEMINFO_VARS];
        int[] length = {SK_MEMINFO_VARS * 4};
        try {
            LibC.INSTANCE.getsockopt(fd, SOL_SOCKET, SO_MEMINFO, meminfo, length);
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            return OptionalLong.empty();
        }
        return length[0] > SK_MEMINFO_DROPS * 4 ? OptionalLong.of(Integer.toUnsignedLong(meminfo[SK_MEMINFO_DROPS]))
                : OptionalLong.empty();
    }

    /**
     * The path MTU the kernel of this thread's namespace knows toward {@code peer}: the route's MTU, or what an
     * ICMP fragmentation-needed / packet-too-big taught it. Empty when it cannot be read.
     */
    public static OptionalInt pathMtu(InetSocketAddress peer) {
        InetAddress address = peer.getAddress();
        boolean v4 = address instanceof Inet4Address;
        LibC c = LibC.INSTANCE;
        int fd;
        try {
            fd = c.socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0);
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            return OptionalInt.empty();
        }
        try {
            byte[] sockaddr = sockaddr(address, peer.getPort());
            c.connect(fd, sockaddr, sockaddr.length);
            return v4 ? get(fd, IPPROTO_IP, IP_MTU) : get(fd, IPPROTO_IPV6, IPV6_MTU);
        } catch (LastErrorException e) {
            return OptionalInt.empty();
        } finally {
            c.close(fd);
        }
    }

    /** The MAC of interface {@code iface} in this thread's network namespace (ioctl SIOCGIFHWADDR), or empty. */
    public static java.util.Optional<byte[]> hardwareAddress(String iface) {
        byte[] name = iface.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (name.length >= IFNAMSIZ) {
            return java.util.Optional.empty();
        }
        LibC c = LibC.INSTANCE;
        int fd;
        try {
            fd = c.socket(AF_INET, SOCK_DGRAM, 0);
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            return java.util.Optional.empty();
        }
        try {
            byte[] ifreq = new byte[40];
            System.arraycopy(name, 0, ifreq, 0, name.length);
            c.ioctl(fd, new com.sun.jna.NativeLong(SIOCGIFHWADDR), ifreq);
            // struct sockaddr: 2 bytes of family, then the address
            return java.util.Optional.of(java.util.Arrays.copyOfRange(ifreq, IFNAMSIZ + 2, IFNAMSIZ + 8));
        } catch (LastErrorException e) {
            return java.util.Optional.empty();
        } finally {
            c.close(fd);
        }
    }

    /** A {@code struct sockaddr_in} or {@code sockaddr_in6}. */
    static byte[] sockaddr(InetAddress address, int port) {
        byte[] ip = address.getAddress();
        ByteBuffer b = ByteBuffer.allocate(ip.length == 4 ? 16 : 28);
        b.order(ByteOrder.nativeOrder()).putShort((short) (ip.length == 4 ? AF_INET : AF_INET6));
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) port);
        if (ip.length == 4) {
            b.put(ip);
        } else {
            b.putInt(0).put(ip).putInt(0);
        }
        return b.array();
    }

    private static boolean set(int fd, int level, int option, int value) {
        try {
            return LibC.INSTANCE.setsockopt(fd, level, option, new int[] {value}, 4) == 0;
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            return false;
        }
    }

    private static OptionalInt get(int fd, int level, int option) {
        int[] value = new int[1];
        int[] length = {4};
        try {
            LibC.INSTANCE.getsockopt(fd, level, option, value, length);
            return OptionalInt.of(value[0]);
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            return OptionalInt.empty();
        }
    }

    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int socket(int domain, int type, int protocol) throws LastErrorException;

        int connect(int fd, byte[] address, int length) throws LastErrorException;

        int setsockopt(int fd, int level, int option, int[] value, int length) throws LastErrorException;

        int getsockopt(int fd, int level, int option, int[] value, int[] length) throws LastErrorException;

        int ioctl(int fd, com.sun.jna.NativeLong request, byte[] ifreq) throws LastErrorException;

        int close(int fd);
    }
}
