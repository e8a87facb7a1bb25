package io.cutover.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.net.InetSocketAddress;

/**
 * The {@code migration} section of {@code host.yaml}: the built-in migrator (migration-core). With it, the agent
 * listens for incoming migrations and, as a source, can migrate a VM itself ({@code "migrator"} in a cutover).
 *
 * <pre>
 * migration:
 *   listen: 198.19.0.2:7300    # the migration address on the underlay (port 0: any free port)
 *   netns: lab-x-hostB         # optional: the namespace of the migration sockets, both ways
 * </pre>
 *
 * @param listen where incoming migrations arrive
 * @param netns  the sockets' namespace, or {@code null}
 */
public record MigrationConfig(InetSocketAddress listen, String netns) {

    /** The section's fields, before validation. */
    static final class Raw {
        @JsonProperty("listen")
        String listen;
        @JsonProperty("netns")
        String netns;

        MigrationConfig validate(Keys keys) {
            return new MigrationConfig(keys.listen("migration.listen", listen),
                    netns == null || netns.isBlank() ? null : netns.strip());
        }
    }
}
