package io.cutover.sdn;

/** A request needs a switch that is not connected, or that disconnected or timed out before it answered. */
public final class SwitchUnavailableException extends SdnException {
    private static final long serialVersionUID = 1L;

    private final String switchName;

    public SwitchUnavailableException(String switchName, String reason) {
        super("switch " + switchName + ": " + reason);
        this.switchName = switchName;
    }

    public String switchName() {
        return switchName;
    }
}
