package io.cutover.arp.impl;

import io.cutover.arp.MacAddress;
import io.cutover.arp.ProbeResult;

import java.net.Inet4Address;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * RFC 5227 probing: sends a probe for an address and watches the replies. Another MAC conflicts when it
 * claims the address (an ARP with that sender IP) or probes for it at the same time.
 */
public final class ArpProber {
    private static final int DRAIN_LIMIT = 64;

    private ArpProber() {
    }

    public static ProbeResult probe(FrameSink sink, Inet4Address address, MacAddress ours, int vlan, Duration wait) {
        for (int i = 0; i < DRAIN_LIMIT && sink.receive(0) != null; i++) {
            // stale frames from before the probe
        }
        sink.send(Frames.arpProbe(ours, address, vlan));
        long deadline = System.nanoTime() + wait.toNanos();
        byte[] ip = address.getAddress();
        byte[] mac = ours.bytes();
        for (long left = wait.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            byte[] frame = sink.receive(left);
            if (frame == null) {
                continue;
            }
            Optional<MacAddress> owner = claimant(frame, ip, mac);
            if (owner.isPresent()) {
                return new ProbeResult(address, owner);
            }
        }
        return new ProbeResult(address, Optional.empty());
    }

    /** The sender MAC of {@code frame} if it is an ARP from another MAC claiming or probing for {@code ip}. */
    static Optional<MacAddress> claimant(byte[] frame, byte[] ip, byte[] ours) {
        int at = 12;
        if (frame.length >= 18 && etherType(frame, at) == Frames.ETHERTYPE_VLAN) {
            at += 4;
        }
        if (frame.length < at + 2 + 28 || etherType(frame, at) != Frames.ETHERTYPE_ARP) {
            return Optional.empty();
        }
        int arp = at + 2;
        if (etherType(frame, arp) != 1 || etherType(frame, arp + 2) != Frames.ETHERTYPE_IPV4
                || frame[arp + 4] != 6 || frame[arp + 5] != 4) {
            return Optional.empty();
        }
        int opcode = etherType(frame, arp + 6);
        byte[] senderMac = Arrays.copyOfRange(frame, arp + 8, arp + 14);
        byte[] senderIp = Arrays.copyOfRange(frame, arp + 14, arp + 18);
        byte[] targetIp = Arrays.copyOfRange(frame, arp + 24, arp + 28);
        if (Arrays.equals(senderMac, ours) || (senderMac[0] & 1) != 0 || Arrays.equals(senderMac, new byte[6])) {
            return Optional.empty();
        }
        boolean claims = (opcode == Frames.ARP_REQUEST || opcode == Frames.ARP_REPLY) && Arrays.equals(senderIp, ip);
        boolean probesToo = opcode == Frames.ARP_REQUEST && Arrays.equals(senderIp, new byte[4]) && Arrays.equals(targetIp, ip);
        return claims || probesToo ? Optional.of(MacAddress.of(senderMac)) : Optional.empty();
    }

    private static int etherType(byte[] frame, int at) {
        return ((frame[at] & 0xff) << 8) | (frame[at + 1] & 0xff);
    }
}
