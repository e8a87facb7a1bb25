package io.cutover.arp;

/** The machine lacks what sending needs: libpcap, or the permission to open a raw handle (root or CAP_NET_RAW). */
public class AnnouncerUnavailableException extends AnnounceException {
    private static final long serialVersionUID = 1L;

    public AnnouncerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
