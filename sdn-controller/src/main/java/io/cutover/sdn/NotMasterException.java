package io.cutover.sdn;

/**
 * A change was asked of a controller that is not its switches' master (a slave of a controller cluster, or a master a
 * newer generation deposed): the master's controller takes it. Nothing changed.
 */
public class NotMasterException extends SdnException {
    private static final long serialVersionUID = 1L;

    public NotMasterException(String message) {
        super(message);
    }
}
