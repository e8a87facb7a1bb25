package io.cutover.arp;

/**
 * Where an {@link Announcer#through announcer without an interface} sends its frames: an SDN controller's packet-out on
 * the VM's switch, from the VM's port, say. Frames are whole Ethernet frames, the VM's MAC their source.
 */
@FunctionalInterface
public interface FrameSender {
    /**
     * Sends {@code frame}; returns once it has left (or is in the hands of who sends it on).
     *
     * @throws AnnounceException when it could not be sent
     */
    void send(byte[] frame);
}
