package io.cutover.migration.transport;

import io.netty.handler.codec.CorruptedFrameException;

/** The peer sent something that is not a valid migration frame; the message names the field. */
public final class MigrationProtocolException extends CorruptedFrameException {
    private static final long serialVersionUID = 1L;

    public MigrationProtocolException(String message) {
        super(message);
    }
}
