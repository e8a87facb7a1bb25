package io.cutover.agent.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code cutover agent}: Run the per-host cutover agent. */
@Command(name = "agent", mixinStandardHelpOptions = true, description = "Run the per-host cutover agent.")
final class AgentCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("cutover: 'agent' is not implemented yet");
        return ExitCode.FAILED;
    }
}
