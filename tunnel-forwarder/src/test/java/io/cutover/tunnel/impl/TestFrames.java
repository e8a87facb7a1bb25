package io.cutover.tunnel.impl;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/** Builds valid Ethernet frames for tests, checksums included. */
final class TestFrames {
    static final byte[] VM_MAC = {0x02, 0x00, (byte) 0xc6, 0x12, 0x00, 0x64};
    static final byte[] CLIENT_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x10};
    static final byte[] VM_IP = {(byte) 198, 18, 0, 100};
    static final byte[] CLIENT_IP = {(byte) 198, 18, 0, 10};

    private TestFrames() {
    }

    /** IPv4 + UDP (proto 17) or TCP (proto 6, 20-byte header) with valid checksums. */
    static byte[] ipv4(byte[] dstMac, byte[] srcIp, byte[] dstIp, int proto, byte[] payload) {
        int l4 = proto == 6 ? 20 : 8;
        int ipLen = 20 + l4 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLen);
        b.put(dstMac).put(CLIENT_MAC).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLen).putShort((short) 1).putShort((short) 0x4000)
                .put((byte) 64).put((byte) proto).putShort((short) 0).put(srcIp).put(dstIp);
        byte[] f = b.array();
        int ipSum = InnerFrames.checksum(f, 14, 20, 0);
        f[24] = (byte) (ipSum >>> 8);
        f[25] = (byte) ipSum;
        b.position(34);
        if (proto == 6) {
            b.putShort((short) 40000).putShort((short) 80).putInt(1).putInt(0).put((byte) 0x50).put((byte) 0x02)
                    .putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        } else {
            b.putShort((short) 40000).putShort((short) 9999).putShort((short) (8 + payload.length)).putShort((short) 0);
        }
        b.put(payload);
        int sum = InnerFrames.checksum(f, 34, l4 + payload.length, pseudo(f, proto, l4 + payload.length));
        int at = proto == 6 ? 34 + 16 : 34 + 6;
        f[at] = (byte) (sum >>> 8);
        f[at + 1] = (byte) sum;
        return f;
    }

    static long pseudo(byte[] f, int proto, int l4Length) {
        long s = 0;
        for (int i = 26; i < 34; i += 2) {
            s += ((f[i] & 0xFF) << 8) | (f[i + 1] & 0xFF);
        }
        return s + proto + l4Length;
    }

    /** Whether the IPv4 header and the TCP/UDP checksum of the frame verify. */
    static boolean checksumsVerify(byte[] f) {
        if (InnerFrames.checksum(f, 14, 20, 0) != 0) {
            return false;
        }
        int proto = f[23] & 0xFF;
        int l4Length = f.length - 34;
        return InnerFrames.checksum(f, 34, l4Length, pseudo(f, proto, l4Length)) == 0;
    }

    static byte[] arpRequest(byte[] targetIp) {
        ByteBuffer b = ByteBuffer.allocate(42);
        b.put(VM_MAC).put(CLIENT_MAC).putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1)
                .put(CLIENT_MAC).put(CLIENT_IP).put(new byte[6]).put(targetIp);
        return b.array();
    }

    /** A sink that keeps a copy of every frame injected into it, in {@code into}. */
    static FrameSink recording(List<byte[]> into) {
        return new FrameSink() {
            @Override
            public boolean inject(byte[] frame, int length) {
                into.add(Arrays.copyOf(frame, length));
                return true;
            }

            @Override
            public void close() {
            }
        };
    }
}
