package io.cutover.agent.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code cutover dns}: Switch a VM's DNS records with RFC 2136 and TSIG. */
@Command(name = "dns", mixinStandardHelpOptions = true, description = "Switch a VM's DNS records with RFC 2136 and TSIG.")
final class DnsCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("cutover: 'dns' is not implemented yet");
        return ExitCode.FAILED;
    }
}
