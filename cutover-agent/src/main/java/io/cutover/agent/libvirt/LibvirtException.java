package io.cutover.agent.libvirt;

/** virsh could not answer: it did not start, failed for another reason than a missing domain, or hung. */
public final class LibvirtException extends RuntimeException {
    public LibvirtException(String message) {
        super(message);
    }

    public LibvirtException(String message, Throwable cause) {
        super(message, cause);
    }
}
