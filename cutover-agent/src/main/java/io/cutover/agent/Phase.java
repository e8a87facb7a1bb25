package io.cutover.agent;

import io.cutover.api.CutoverStage;

import java.util.Locale;

/** The phases an orchestrator that migrates by itself reports through the hook API. */
public enum Phase {
    SWITCHOVER(CutoverStage.SWITCHOVER),
    ACTIVATED(CutoverStage.ACTIVATED),
    COMPLETED(CutoverStage.COMPLETED),
    FAILED(CutoverStage.FAILED);

    private final CutoverStage stage;

    Phase(CutoverStage stage) {
        this.stage = stage;
    }

    public CutoverStage stage() {
        return stage;
    }

    /** The phase called {@code name} in a URL, such as {@code activated}. */
    public static Phase parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown phase '" + name
                    + "' (expected switchover, activated, completed or failed)", e);
        }
    }
}
