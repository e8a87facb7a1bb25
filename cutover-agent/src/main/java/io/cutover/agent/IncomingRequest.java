package io.cutover.agent;

/**
 * What a source's agent asks of the destination's when QEMU migrates a cutover's guest (point the incoming QEMU at
 * the stream, and report the guest's RESUME back), or when libvirt does (follow the domain's lifecycle events here,
 * and report its {@code Resumed Migrated} back as {@code activated}, its failure as {@code failed}).
 *
 * @param id      the cutover, whose memory the destination has claimed
 * @param vm      the guest, whose QMP socket the destination finds in its {@code qemu.socket-dir}
 * @param source  the source's host, whose agent hears the RESUME
 * @param qemu    QEMU's migration settings, as the cutover's request gave them, or {@code null}
 * @param libvirt the libvirt domain whose migration the destination follows, or {@code null}
 */
public record IncomingRequest(String id, String vm, String source, CutoverRequest.Qemu qemu,
                              CutoverRequest.Libvirt libvirt) {
}
