package io.cutover.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.cutover.ddns.DdnsOptions;
import io.cutover.ddns.DnsCutoverListener;
import io.cutover.ddns.KeyFileException;
import io.cutover.ddns.TsigKey;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code dns} section of {@code host.yaml}: the authoritative server that a WAN move updates (RFC 2136, TSIG).
 *
 * <pre>
 * dns:
 *   server: 198.18.0.53:53          # the primary
 *   zone: vms.cutover.test.         # optional: otherwise found with an SOA query
 *   key-file: /etc/cutover/tsig.key # BIND key file
 *   queue-dir: /var/lib/cutover/ddns   # the durable queue of updates the server has not answered
 *   netns: lab-x-hostA              # optional: the network namespace of the agent's DNS sockets
 *   lowered-ttl: 5s                 # the TTL during a move
 *   timeout: 1s                     # one attempt
 *   attempts: 6                     # attempts before an update waits in the queue
 *   replay-every: 5s                # how often queued updates are sent again
 * </pre>
 *
 * @param server      the primary
 * @param zone        the zone, or {@code null}
 * @param key         the TSIG key
 * @param queueDir    the journal of pending updates
 * @param netns       the sockets' namespace, or {@code null}
 * @param loweredTtl  the TTL during a move
 * @param timeout     one attempt's limit
 * @param attempts    attempts per update before it waits in the queue
 * @param replayEvery the interval between replays of the queue
 */
public record DnsConfig(InetSocketAddress server, String zone, TsigKey key, Path queueDir, String netns,
                        Duration loweredTtl, Duration timeout, int attempts, Duration replayEvery) {
    public static final Duration DEFAULT_REPLAY_EVERY = Duration.ofSeconds(5);

    /** The updater's options. */
    public DdnsOptions options() {
        DdnsOptions.Builder builder = DdnsOptions.builder(server, key).journalDir(queueDir).timeout(timeout)
                .maxAttempts(attempts);
        if (zone != null) {
            builder.zone(zone);
        }
        return builder.build();
    }

    /** The section's fields, before validation. */
    static final class Raw {
        @JsonProperty("server")
        String server;
        @JsonProperty("zone")
        String zone;
        @JsonProperty("key-file")
        String keyFile;
        @JsonProperty("queue-dir")
        String queueDir;
        @JsonProperty("netns")
        String netns;
        @JsonProperty("lowered-ttl")
        String loweredTtl;
        @JsonProperty("timeout")
        String timeout;
        @JsonProperty("attempts")
        Integer attempts;
        @JsonProperty("replay-every")
        String replayEvery;

        DnsConfig validate(Keys keys) {
            InetSocketAddress primary = keys.remote("dns.server", server);
            Path keyPath = keys.readableFile("dns.key-file", keyFile);
            TsigKey key;
            try {
                key = TsigKey.read(keyPath);
            } catch (KeyFileException e) {
                throw keys.bad("dns.key-file", e.getMessage());
            }
            int tries = attempts == null ? DdnsOptions.DEFAULT_MAX_ATTEMPTS : attempts;
            if (tries < 1 || tries > 100) {
                throw keys.bad("dns.attempts", "expected 1..100, got " + tries);
            }
            String chosenZone = zone == null || zone.isBlank() ? null : zone.strip();
            return new DnsConfig(primary, chosenZone, key, keys.directory("dns.queue-dir", queueDir),
                    netns == null || netns.isBlank() ? null : netns.strip(),
                    keys.duration("dns.lowered-ttl", loweredTtl, DnsCutoverListener.DEFAULT_LOWERED_TTL),
                    keys.duration("dns.timeout", timeout, DdnsOptions.DEFAULT_TIMEOUT), tries,
                    keys.duration("dns.replay-every", replayEvery, DEFAULT_REPLAY_EVERY));
        }
    }
}
