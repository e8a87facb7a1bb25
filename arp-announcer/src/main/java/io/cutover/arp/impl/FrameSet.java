package io.cutover.arp.impl;

import io.cutover.arp.AnnounceForm;
import io.cutover.arp.Announcement;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;

/**
 * Every frame of one round of an announcement, built once; each round sends the same buffers again, back to
 * back, without allocating. Order: RARP first (switches relearn the port), then ARP, then NA.
 */
public final class FrameSet {
    private final byte[][] frames;

    private FrameSet(byte[][] frames) {
        this.frames = frames;
    }

    public static FrameSet of(Announcement announcement) {
        List<byte[]> frames = new ArrayList<>(announcement.frameCount());
        int vlan = announcement.vlan();
        if (announcement.forms().contains(AnnounceForm.RARP)) {
            frames.add(Frames.rarp(announcement.mac(), vlan));
        }
        for (Inet4Address ip : announcement.ipv4()) {
            if (announcement.forms().contains(AnnounceForm.REQUEST)) {
                frames.add(Frames.arp(AnnounceForm.REQUEST, announcement.mac(), ip, vlan));
            }
            if (announcement.forms().contains(AnnounceForm.REPLY)) {
                frames.add(Frames.arp(AnnounceForm.REPLY, announcement.mac(), ip, vlan));
            }
        }
        if (announcement.forms().contains(AnnounceForm.NA)) {
            for (Inet6Address ip : announcement.ipv6()) {
                frames.add(Frames.neighbourAdvertisement(announcement.mac(), ip, vlan));
            }
        }
        return new FrameSet(frames.toArray(byte[][]::new));
    }

    public int size() {
        return frames.length;
    }

    /** The frame at {@code index}, the buffer itself (not to be changed). */
    public byte[] frame(int index) {
        return frames[index];
    }

    /** Sends every frame once, in order. */
    public void sendRound(FrameSink sink) {
        for (byte[] frame : frames) {
            sink.send(frame);
        }
    }
}
