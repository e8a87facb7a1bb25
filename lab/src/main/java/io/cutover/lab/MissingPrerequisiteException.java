package io.cutover.lab;

/**
 * The machine lacks something the lab needs: root, a program (the message names its Debian package),
 * or a kernel feature. The CLI exits with code 3.
 */
public class MissingPrerequisiteException extends LabException {
    private static final long serialVersionUID = 1L;

    public MissingPrerequisiteException(String message) {
        super(message);
    }
}
