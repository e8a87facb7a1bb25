package io.cutover.sdn.impl;

import io.cutover.sdn.Endpoint;
import org.projectfloodlight.openflow.types.MacAddress;

import java.util.Arrays;
import java.util.List;

/**
 * The frames the controller sends into a switch on an endpoint's behalf (its announcements after a move): a few whole
 * Ethernet frames, each from the endpoint's own MAC, so that a caller can speak only for the endpoint it names.
 */
final class EndpointFrames {
    /** At most this many frames a call: one announcement round for a VM with many addresses. */
    static final int MAX_FRAMES = 64;
    /** An Ethernet header. */
    static final int MIN_LENGTH = 14;
    /** A full-size frame with one VLAN tag, without its FCS. */
    static final int MAX_LENGTH = 1522;

    private EndpointFrames() {
    }

    /**
     * Refuses {@code frames} unless there are 1 to {@value #MAX_FRAMES} of them, each a plausible Ethernet frame whose
     * source is {@code endpoint}'s MAC.
     *
     * @throws IllegalArgumentException naming the first frame that is not
     */
    static void require(Endpoint endpoint, List<byte[]> frames) {
        if (frames == null || frames.isEmpty() || frames.size() > MAX_FRAMES) {
            throw new IllegalArgumentException("frames: expected 1 to " + MAX_FRAMES + " frames, got "
                    + (frames == null ? 0 : frames.size()));
        }
        byte[] mac = MacAddress.of(endpoint.mac()).getBytes();
        for (int i = 0; i < frames.size(); i++) {
            byte[] frame = frames.get(i);
            if (frame == null || frame.length < MIN_LENGTH || frame.length > MAX_LENGTH) {
                throw new IllegalArgumentException("frames[" + i + "]: an Ethernet frame is " + MIN_LENGTH + " to "
                        + MAX_LENGTH + " bytes, this one " + (frame == null ? 0 : frame.length));
            }
            if (!Arrays.equals(frame, 6, 12, mac, 0, 6)) {
                throw new IllegalArgumentException("frames[" + i + "]: its source MAC "
                        + MacAddress.of(Arrays.copyOfRange(frame, 6, 12)) + " is not endpoint " + endpoint.name()
                        + "'s " + endpoint.mac());
            }
        }
    }
}
