package io.cutover.cli;

import picocli.CommandLine;

/** A command that only groups subcommands: called alone, it is a usage error (exit 2). */
abstract class GroupCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing a subcommand: " + String.join(", ", spec.subcommands().keySet()));
    }
}
