package io.cutover.support;

/** Something this host refused or could not do for us: entering a namespace, a system call. */
public class HostException extends RuntimeException {

    public HostException(String message) {
        super(message);
    }

    public HostException(String message, Throwable cause) {
        super(message, cause);
    }
}
