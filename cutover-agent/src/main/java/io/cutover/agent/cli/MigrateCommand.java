package io.cutover.agent.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code cutover migrate}: Live-migrate a guest's memory (migration-core). */
@Command(name = "migrate", mixinStandardHelpOptions = true, description = "Live-migrate a guest's memory (migration-core).")
final class MigrateCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("cutover: 'migrate' is not implemented yet");
        return ExitCode.FAILED;
    }
}
