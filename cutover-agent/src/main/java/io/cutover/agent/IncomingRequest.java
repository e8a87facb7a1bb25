package io.cutover.agent;

/**
 * What a source's agent asks of the destination's when QEMU migrates a cutover's guest: point the incoming QEMU at the
 * stream, and report the guest's RESUME back.
 *
 * @param id     the cutover, whose memory the destination has claimed
 * @param vm     the guest, whose QMP socket the destination finds in its {@code qemu.socket-dir}
 * @param source the source's host, whose agent hears the RESUME
 * @param qemu   QEMU's migration settings, as the cutover's request gave them
 */
public record IncomingRequest(String id, String vm, String source, CutoverRequest.Qemu qemu) {
}
