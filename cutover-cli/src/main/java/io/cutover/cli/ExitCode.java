package io.cutover.cli;

/** The launcher's exit codes, as shared/DESIGN.md fixes them. */
public final class ExitCode {
    /** Done. */
    public static final int OK = 0;
    /** The operation failed. */
    public static final int FAILED = 1;
    /** Bad input or usage. */
    public static final int USAGE = 2;
    /** The environment lacks something: not root, a missing package. */
    public static final int ENVIRONMENT = 3;

    private ExitCode() {
    }
}
