package io.cutover.agent.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code cutover sdn}: Run the OpenFlow 1.3 controller that moves VM flows. */
@Command(name = "sdn", mixinStandardHelpOptions = true, description = "Run the OpenFlow 1.3 controller that moves VM flows.")
final class SdnCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("cutover: 'sdn' is not implemented yet");
        return ExitCode.FAILED;
    }
}
