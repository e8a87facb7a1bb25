package io.cutover.agent.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code cutover announce}: Send gratuitous ARP, RARP and unsolicited NA for a moved VM. */
@Command(name = "announce", mixinStandardHelpOptions = true, description = "Send gratuitous ARP, RARP and unsolicited NA for a moved VM.")
final class AnnounceCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("cutover: 'announce' is not implemented yet");
        return ExitCode.FAILED;
    }
}
