package io.cutover.arp;

/**
 * Nothing was announced because the readiness gate did not open: the readiness future failed (the
 * destination never confirmed it forwards), the gate timed out with {@link ReadinessGate.OnTimeout#ABORT},
 * or the announcement was cancelled first.
 */
public class GateClosedException extends AnnounceException {
    private static final long serialVersionUID = 1L;

    public GateClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
