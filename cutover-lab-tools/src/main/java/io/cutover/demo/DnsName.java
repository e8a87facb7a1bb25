package io.cutover.demo;

import io.cutover.lab.Lab;
import io.cutover.lab.Topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** A name in the lab's zone, as the client sees it and as an orchestrator registers it (RFC 2136, the lab's key). */
final class DnsName {
    /**
     * The TTL of a name the demo registers: short, as for a VM that is about to move (a resolver may hold the old
     * address this long after the cutover lowers it, and the brownout's tunnel lasts at least as long). Short enough
     * that a lab move's drain ends by its DNS rule well before the lab's hard maximum ({@link LabAgents#DRAIN_HARD_MAX}
     * from the activation, a second or two after the lowering).
     */
    private static final int TTL = 6;
    private static final long NSUPDATE_LIMIT_SECONDS = 20;

    private DnsName() {
    }

    /** The name's A records, as the client gets them from the lab's server ("" for none). */
    static String lookUp(Lab lab, String name) {
        return lab.exec("client", "dig", "+short", "+time=2", "@" + lab.dnsServer(), name, "A").orThrow().stdout()
                .strip();
    }

    /**
     * Makes {@code address} the name's only A record, or removes its A records when {@code address} is null: {@code
     * nsupdate} from the client's namespace, signed with the lab's TSIG key.
     */
    static void set(Lab lab, String name, String address) {
        StringBuilder commands = new StringBuilder()
                .append("server ").append(lab.dnsServer()).append('\n')
                .append("zone ").append(Topology.ZONE).append('\n')
                .append("update delete ").append(name).append(" A\n");
        if (address != null) {
            commands.append("update add ").append(name).append(' ').append(TTL).append(" A ").append(address)
                    .append('\n');
        }
        commands.append("send\n");
        try {
            Process nsupdate = new ProcessBuilder("ip", "netns", "exec", lab.namespace("client"), "nsupdate", "-t", "10", "-k",
                    lab.tsigKeyFile().toString()).redirectErrorStream(true).start();
            try (var input = nsupdate.getOutputStream()) {
                input.write(commands.toString().getBytes(StandardCharsets.US_ASCII));
            }
            String output = new String(nsupdate.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!nsupdate.waitFor(NSUPDATE_LIMIT_SECONDS, TimeUnit.SECONDS) || nsupdate.exitValue() != 0) {
                nsupdate.destroyForcibly();
                throw new IllegalStateException("nsupdate could not set " + name + " to " + address + ": "
                        + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run nsupdate for " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted setting " + name, e);
        }
    }
}
