package io.cutover.lab;

import java.util.List;

/**
 * What a finished command printed and returned.
 *
 * @param command  the command line, for messages
 * @param exitCode the process exit code
 * @param stdout   standard output, whole
 * @param stderr   standard error, whole
 */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

    public boolean ok() {
        return exitCode == 0;
    }

    /** This result if the command succeeded; otherwise a {@link LabException} naming the command and its error. */
    public CommandResult orThrow() {
        if (!ok()) {
            throw new LabException("'" + String.join(" ", command) + "' failed (exit " + exitCode + "): "
                    + firstLine(stderr.isBlank() ? stdout : stderr));
        }
        return this;
    }

    private static String firstLine(String text) {
        String trimmed = text.strip();
        int newline = trimmed.indexOf('\n');
        return newline < 0 ? trimmed : trimmed.substring(0, newline);
    }
}
