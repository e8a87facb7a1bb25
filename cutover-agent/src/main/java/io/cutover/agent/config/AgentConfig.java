package io.cutover.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cutover.support.LogLevel;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The agent's configuration, {@code host.yaml}:
 *
 * <pre>
 * host: hostA                      # this host's name, as orchestrators use it
 * listen: 127.0.0.1:7070           # address and port of the REST API
 * token-file: /etc/cutover/token   # this host's token (its orchestrator and hooks): every call may use it
 * memory-mib: 8192                 # memory this host can reserve for incoming VMs
 * planned-expiry: 30m              # optional: a cutover still PLANNED this long after its creation, its migration
 *                                  #   never reported, is rolled back and its memory claim released
 * peers:                           # the other hosts' agents, each with the token it shares with this host
 *   hostB: {url: https://198.19.0.2:7070, token-file: peers/hostB.token}
 * tls: ...                         # optional: HTTPS, see {@link AccessConfig}
 * open-health: true                # optional: GET /v1/health without a token (default); every other call needs one
 * sdn: ...                         # each part of the plan runs only when its section is present:
 * tunnel: ...                      #   see {@link SdnConfig}, {@link TunnelConfig}, {@link AnnounceConfig},
 * announce: ...                    #   {@link DnsConfig}
 * dns: ...
 * migration: ...                   # the built-in migrator, see {@link MigrationConfig}
 * qemu: ...                        # this host's QEMU guests, migrated by QEMU over QMP, see {@link QemuConfig}
 * libvirt: ...                     # this host's libvirtd, whose lifecycle events the agent follows, see
 *                                  #   {@link LibvirtConfig}
 * log-level: debug                 # optional: trace, debug, info, warn or error; over CUTOVER_LOG_LEVEL
 * </pre>
 *
 * @param host      this host's name
 * @param address   the API's listen address
 * @param port      the API's port (0: any free port)
 * @param token     the bearer token
 * @param memoryMiB memory available to incoming VMs
 * @param peers     other agents by host name
 * @param sdn       the SDN controller's part, or {@code null} (switched off)
 * @param tunnel    the tunnel's part, or {@code null}
 * @param announce  the announcements' part, or {@code null}
 * @param dns       the DNS part, or {@code null}
 * @param migration the built-in migrator, or {@code null} (orchestrators migrate, through the phase hooks)
 * @param qemu      this host's QEMU guests, or {@code null} (the agent does not drive QEMU)
 * @param libvirt   this host's libvirtd, or {@code null} (the agent follows no libvirt domain)
 * @param plannedExpiry how long a cutover may stay PLANNED, its migration never reported, before it is rolled back
 * @param logLevel  how much the agent logs, or {@code null}: as the launcher says ({@code CUTOVER_LOG_LEVEL})
 * @param access    the peers' own tokens, TLS and the health report's access
 */
public record AgentConfig(String host, String address, int port, String token, long memoryMiB,
                          Map<String, URI> peers, SdnConfig sdn, TunnelConfig tunnel, AnnounceConfig announce,
                          DnsConfig dns, MigrationConfig migration, QemuConfig qemu, LibvirtConfig libvirt,
                          Duration plannedExpiry, LogLevel logLevel, AccessConfig access) {
    /** The default of {@code planned-expiry}. */
    public static final Duration DEFAULT_PLANNED_EXPIRY = Duration.ofMinutes(30);

    /** An agent configured with these parts, logging as the launcher says. */
    public AgentConfig(String host, String address, int port, String token, long memoryMiB, Map<String, URI> peers,
                       SdnConfig sdn, TunnelConfig tunnel, AnnounceConfig announce, DnsConfig dns,
                       MigrationConfig migration, QemuConfig qemu, Duration plannedExpiry) {
        this(host, address, port, token, memoryMiB, peers, sdn, tunnel, announce, dns, migration, qemu, null,
                plannedExpiry, null, AccessConfig.SHARED_TOKEN);
    }

    /** An agent with every part of the plan switched off. */
    public AgentConfig(String host, String address, int port, String token, long memoryMiB, Map<String, URI> peers) {
        this(host, address, port, token, memoryMiB, peers, null, null, null, null, null, null, DEFAULT_PLANNED_EXPIRY);
    }

    /** The names of the parts of the plan switched on, in the plan's order. */
    public Set<String> steps() {
        Set<String> on = new java.util.LinkedHashSet<>();
        if (dns != null) {
            on.add("dns");
        }
        if (sdn != null) {
            on.add("sdn");
        }
        if (tunnel != null) {
            on.add("tunnel");
        }
        if (announce != null) {
            on.add("announce");
        }
        return on;
    }

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
            String path = e.getPath().stream().map(r -> r.getFieldName()).filter(java.util.Objects::nonNull)
                    .collect(java.util.stream.Collectors.joining("."));
            throw new ConfigException(name, path.isEmpty() ? e.getPropertyName() : path, "unknown key (known: "
                    + e.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                    .collect(java.util.stream.Collectors.joining(", ")) + ")");
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
        @JsonProperty("planned-expiry")
        String plannedExpiry;
        @JsonProperty("peers")
        Map<String, com.fasterxml.jackson.databind.JsonNode> peers;
        @JsonProperty("tls")
        AccessConfig.RawTls tls;
        @JsonProperty("open-health")
        Boolean openHealth;
        @JsonProperty("sdn")
        SdnConfig.Raw sdn;
        @JsonProperty("tunnel")
        TunnelConfig.Raw tunnel;
        @JsonProperty("announce")
        AnnounceConfig.Raw announce;
        @JsonProperty("dns")
        DnsConfig.Raw dns;
        @JsonProperty("migration")
        MigrationConfig.Raw migration;
        @JsonProperty("qemu")
        QemuConfig.Raw qemu;
        @JsonProperty("libvirt")
        LibvirtConfig.Raw libvirt;
        @JsonProperty("log-level")
        String logLevel;

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
            Keys keys = new Keys(file, dir);
            String secret = keys.secret("", token, tokenFile);
            if (secret == null || secret.length() < 16) {
                throw new ConfigException(file, "token", "expected a bearer token of at least 16 characters");
            }
            if (memoryMiB == null || memoryMiB < 0) {
                throw new ConfigException(file, "memory-mib", "expected the MiB available to incoming VMs, got "
                        + memoryMiB);
            }
            Map<String, URI> peerUris = new java.util.TreeMap<>();
            Map<String, String> peerTokens = new java.util.TreeMap<>();
            if (peers != null) {
                peers.forEach((peer, entry) -> peer(keys, peer, entry, peerUris, peerTokens));
            }
            Map<String, String> holders = new java.util.HashMap<>();
            peerTokens.forEach((peer, peerToken) -> {
                if (peerToken.equals(secret)) {
                    throw new ConfigException(file, "peers." + peer + ".token", "must differ from this host's own "
                            + "token (which acts on everything here); leave it out to share the host's token");
                }
                String other = holders.putIfAbsent(peerToken, peer);
                if (other != null) {
                    throw new ConfigException(file, "peers." + peer + ".token", "the same as " + other + "'s: each "
                            + "peer needs its own, or its calls cannot be told apart");
                }
            });
            AccessConfig access = new AccessConfig(peerTokens, tls == null ? null : tls.validate(keys),
                    openHealth == null || openHealth);
            if (announce != null && "controller".equalsIgnoreCase(String.valueOf(announce.via).strip()) && sdn == null) {
                throw new ConfigException(file, "announce.via", "controller needs the sdn section");
            }
            return new AgentConfig(host, chosen.substring(0, colon), port, secret, memoryMiB, Map.copyOf(peerUris),
                    sdn == null ? null : sdn.validate(keys), tunnel == null ? null : tunnel.validate(keys),
                    announce == null ? null : announce.validate(keys), dns == null ? null : dns.validate(keys),
                    migration == null ? null : migration.validate(keys), qemu == null ? null : qemu.validate(keys),
                    libvirt == null ? null : libvirt.validate(keys),
                    keys.duration("planned-expiry", plannedExpiry, DEFAULT_PLANNED_EXPIRY), logLevel(file), access);
        }

        /** A peer: its URL alone (it shares this host's token), or {@code {url, token | token-file}}. */
        private static void peer(Keys keys, String peer, com.fasterxml.jackson.databind.JsonNode entry,
                                 Map<String, URI> urls, Map<String, String> tokens) {
            if (entry == null || entry.isTextual()) {
                urls.put(peer, keys.httpUrl("peers." + peer, entry == null ? null : entry.asText()));
                return;
            }
            if (!entry.isObject()) {
                throw keys.bad("peers." + peer, "expected a URL or {url, token-file}");
            }
            entry.fieldNames().forEachRemaining(field -> {
                if (!java.util.Set.of("url", "token", "token-file").contains(field)) {
                    throw keys.bad("peers." + peer + "." + field, "unknown key (known: token, token-file, url)");
                }
            });
            urls.put(peer, keys.httpUrl("peers." + peer + ".url", entry.path("url").asText(null)));
            tokens.put(peer, AccessConfig.peerToken(keys, peer, entry.path("token").asText(null),
                    entry.path("token-file").asText(null)));
        }

        private LogLevel logLevel(String file) {
            try {
                return logLevel == null ? null : LogLevel.parse(logLevel);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file, "log-level", e.getMessage());
            }
        }

        private static String quoted(Object value) {
            return value == null ? "nothing" : "'" + value + "'";
        }
    }
}
