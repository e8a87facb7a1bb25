package io.cutover.agent.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code cutover tunnel}: Run or drive the brownout tunnel forwarder. */
@Command(name = "tunnel", mixinStandardHelpOptions = true, description = "Run or drive the brownout tunnel forwarder.")
final class TunnelCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("cutover: 'tunnel' is not implemented yet");
        return ExitCode.FAILED;
    }
}
