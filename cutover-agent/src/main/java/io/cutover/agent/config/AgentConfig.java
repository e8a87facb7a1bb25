package io.cutover.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The agent's configuration, {@code host.yaml}:
 *
 * <pre>
 * host: hostA                      # this host's name, as orchestrators use it
 * listen: 127.0.0.1:7070           # address and port of the REST API
 * token-file: /etc/cutover/token   # the bearer token every mutating call must carry
 * memory-mib: 8192                 # memory this host can reserve for incoming VMs
 * peers:                           # the other hosts' agents
 *   hostB: http://198.19.0.2:7070
 * steps: [sdn, tunnel, announce, dns]   # which parts of the plan run here (default: none)
 * </pre>
 *
 * @param host      this host's name
 * @param address   the API's listen address
 * @param port      the API's port (0: any free port)
 * @param token     the bearer token
 * @param memoryMiB memory available to incoming VMs
 * @param peers     other agents by host name
 * @param steps     the plan's parts switched on
 */
public record AgentConfig(String host, String address, int port, String token, long memoryMiB,
                          Map<String, URI> peers, Set<String> steps) {
    /** The parts of the plan that can be switched on. */
    public static final Set<String> KNOWN_STEPS = Set.of("sdn", "tunnel", "announce", "dns");
    /** The API's default address: loopback only. */
    public static final String DEFAULT_LISTEN = "127.0.0.1:7070";

    /** Reads and validates {@code file}. */
    public static AgentConfig load(Path file) {
        String name = file.toString();
        Raw raw;
        try {
            raw = new ObjectMapper(new YAMLFactory())
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(Files.readAllBytes(file), Raw.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(name, e.getPropertyName(), "unknown key (known: host, listen, token, "
                    + "token-file, memory-mib, peers, steps)");
        } catch (IOException e) {
            throw new ConfigException(name, "(file)", "cannot read: " + e.getMessage().split("\n")[0]);
        }
        if (raw == null) {
            throw new ConfigException(name, "(file)", "empty");
        }
        return raw.validate(name, file.toAbsolutePath().getParent());
    }

    /** The file's fields, before validation. */
    static final class Raw {
        @JsonProperty("host")
        String host;
        @JsonProperty("listen")
        String listen;
        @JsonProperty("token")
        String token;
        @JsonProperty("token-file")
        String tokenFile;
        @JsonProperty("memory-mib")
        Long memoryMiB;
        @JsonProperty("peers")
        Map<String, String> peers;
        @JsonProperty("steps")
        Set<String> steps;

        AgentConfig validate(String file, Path dir) {
            if (host == null || !host.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
                throw new ConfigException(file, "host", "expected this host's name, got " + quoted(host));
            }
            String chosen = listen == null ? DEFAULT_LISTEN : listen;
            int colon = chosen.lastIndexOf(':');
            int port;
            try {
                port = Integer.parseInt(chosen.substring(colon + 1));
            } catch (RuntimeException e) {
                port = -1;
            }
            if (colon <= 0 || port < 0 || port > 65535) {
                throw new ConfigException(file, "listen", "expected ADDRESS:PORT, got " + quoted(chosen));
            }
            String secret = token;
            if (tokenFile != null) {
                if (token != null) {
                    throw new ConfigException(file, "token-file", "give token or token-file, not both");
                }
                try {
                    secret = Files.readString(dir.resolve(tokenFile)).strip();
                } catch (IOException e) {
                    throw new ConfigException(file, "token-file", "cannot read " + tokenFile + ": " + e.getMessage());
                }
            }
            if (secret == null || secret.length() < 16) {
                throw new ConfigException(file, "token", "expected a bearer token of at least 16 characters");
            }
            if (memoryMiB == null || memoryMiB < 0) {
                throw new ConfigException(file, "memory-mib", "expected the MiB available to incoming VMs, got "
                        + memoryMiB);
            }
            Map<String, URI> peerUris = new java.util.TreeMap<>();
            if (peers != null) {
                peers.forEach((peer, url) -> {
                    try {
                        URI uri = URI.create(url);
                        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                            throw new IllegalArgumentException("not http(s)");
                        }
                        peerUris.put(peer, uri);
                    } catch (RuntimeException e) {
                        throw new ConfigException(file, "peers." + peer, "expected an http(s) URL, got " + quoted(url));
                    }
                });
            }
            Set<String> enabled = steps == null ? Set.of() : Set.copyOf(steps);
            for (String step : enabled) {
                if (!KNOWN_STEPS.contains(step)) {
                    throw new ConfigException(file, "steps", "unknown step " + quoted(step) + " (known: "
                            + String.join(", ", new java.util.TreeSet<>(KNOWN_STEPS)) + ")");
                }
            }
            return new AgentConfig(host, chosen.substring(0, colon), port, secret, memoryMiB,
                    Map.copyOf(peerUris), enabled);
        }

        private static String quoted(Object value) {
            return value == null ? "nothing" : "'" + value + "'";
        }
    }
}
