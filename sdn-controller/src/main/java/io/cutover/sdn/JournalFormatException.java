package io.cutover.sdn;

import java.nio.file.Path;
import java.util.List;

/**
 * The controller's journal cannot be read as it is: it was written by a controller that named switches by bridge name
 * (before datapath ids were their key), or by a newer controller. The message tells the operator what to do.
 */
public final class JournalFormatException extends SdnException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final List<String> bridgeNames;

    public JournalFormatException(Path file, List<String> bridgeNames, String message) {
        super(message);
        this.file = file;
        this.bridgeNames = List.copyOf(bridgeNames);
    }

    /** The journal's file. */
    public Path file() {
        return file;
    }

    /** The bridge names an old journal keys its switches by (empty for a journal of a newer format). */
    public List<String> bridgeNames() {
        return bridgeNames;
    }
}
