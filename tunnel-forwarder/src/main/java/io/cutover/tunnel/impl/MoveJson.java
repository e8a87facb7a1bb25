package io.cutover.tunnel.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.support.IpLiteral;
import io.cutover.tunnel.DrainPolicy;
import io.cutover.tunnel.DropReason;
import io.cutover.tunnel.ForwarderStats;
import io.cutover.tunnel.HoldLimits;
import io.cutover.tunnel.MoveSpec;
import io.cutover.tunnel.MoveStatus;
import io.cutover.tunnel.Role;
import io.cutover.tunnel.TunnelKey;
import io.cutover.tunnel.TunnelMode;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Moves as JSON (the REST API, the config file, the journal). Reading validates and throws
 * {@link IllegalArgumentException} naming the field. The key is written only as a reference (its file).
 */
public final class MoveJson {
    public static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private MoveJson() {
    }

    /**
     * A move from JSON; {@code where} names the source in error messages (a file, "request"). A move without
     * {@code key} or {@code keyFile} must say {@code "insecurePlain": true}.
     */
    public static MoveSpec read(JsonNode node, String where) {
        return read(node, where, false);
    }

    /**
     * A move from the journal: as {@link #read}, but a keyless move journaled before plain had to be asked for
     * (a version 1 journal) stays plain.
     */
    static MoveSpec readJournaled(JsonNode node, String where) {
        return read(node, where, true);
    }

    private static MoveSpec read(JsonNode node, String where, boolean plainUnlessKeyed) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(where + ": a move must be an object");
        }
        String id = text(node, "id", where, true);
        try {
            MoveSpec.Builder b = MoveSpec.builder(id, integer(node, "vni", where));
            b.role(parseEnum(Role.class, text(node, "role", where, true), where + ": role"));
            String mode = text(node, "mode", where, false);
            b.mode(mode == null ? TunnelMode.L2 : parseEnum(TunnelMode.class, mode, where + ": mode"));
            b.vmMac(text(node, "vmMac", where, true));
            JsonNode addresses = node.get("vmAddresses");
            if (addresses == null || !addresses.isArray()) {
                throw new IllegalArgumentException(where + ": vmAddresses must be a list of IP addresses");
            }
            List<InetAddress> list = new ArrayList<>();
            for (JsonNode a : addresses) {
                list.add(address(a.asText(), where + ": vmAddresses"));
            }
            b.vmAddresses(list);
            String newAddress = text(node, "newAddress", where, false);
            if (newAddress != null) {
                b.newAddress(address(newAddress, where + ": newAddress"));
            }
            b.peer(socketAddress(text(node, "peer", where, true), where + ": peer"));
            b.iface(text(node, "iface", where, true));
            String keyFile = text(node, "keyFile", where, false);
            String key = text(node, "key", where, false);
            if (keyFile != null) {
                b.key(TunnelKey.fromFile(Path.of(keyFile)));
            } else if (key != null) {
                b.key(TunnelKey.ofBase64(key, null));
            }
            JsonNode plain = node.get("insecurePlain");
            if (plain != null && !plain.isBoolean()) {
                throw new IllegalArgumentException(where + ": insecurePlain must be true or false");
            }
            boolean insecurePlain = plain != null ? plain.asBoolean() : plainUnlessKeyed && keyFile == null && key == null;
            if (keyFile == null && key == null && !insecurePlain) {
                throw new IllegalArgumentException(where + ": move " + id + ": no key or keyFile: moves are sealed "
                        + "(AES-GCM) by default; for plain VXLAN (a kernel VXLAN peer) set insecurePlain: true");
            }
            if ((keyFile != null || key != null) && insecurePlain) {
                throw new IllegalArgumentException(where + ": move " + id + ": insecurePlain goes only with a move "
                        + "without key or keyFile");
            }
            b.insecurePlain(insecurePlain);
            JsonNode hold = node.get("hold");
            if (hold != null) {
                b.hold(new HoldLimits(hold.path("packets").asInt(HoldLimits.DEFAULT_PACKETS),
                        hold.path("bytes").asLong(HoldLimits.DEFAULT_BYTES)));
            }
            JsonNode drain = node.get("drain");
            if (drain != null) {
                b.drain(new DrainPolicy(
                        duration(drain.path("idle").asText(null), DrainPolicy.DEFAULT_IDLE, where + ": drain.idle"),
                        duration(drain.path("hardMax").asText(null), DrainPolicy.DEFAULT_HARD_MAX, where + ": drain.hardMax"),
                        duration(drain.path("dnsTtl").asText(null), null, where + ": drain.dnsTtl")));
            }
            JsonNode reverse = node.get("reverse");
            if (reverse != null) {
                if (!reverse.isBoolean()) {
                    throw new IllegalArgumentException(where + ": reverse must be true or false");
                }
                b.reverse(reverse.asBoolean());
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(where)) {
                throw e;
            }
            throw new IllegalArgumentException(where + ": move " + id + ": " + e.getMessage(), e);
        }
    }

    /** A move as JSON; the key appears only as {@code keyFile} (its reference). */
    public static ObjectNode write(MoveSpec spec) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", spec.id());
        node.put("vni", spec.vni());
        node.put("role", spec.role().name());
        node.put("mode", spec.mode().name());
        node.put("vmMac", spec.vmMac());
        ArrayNode addresses = node.putArray("vmAddresses");
        spec.vmAddresses().forEach(a -> addresses.add(a.getHostAddress()));
        if (spec.newAddress() != null) {
            node.put("newAddress", spec.newAddress().getHostAddress());
        }
        node.put("peer", formatSocket(spec.peer()));
        node.put("iface", spec.iface());
        node.put("authenticated", spec.authenticated());
        if (spec.insecurePlain()) {
            node.put("insecurePlain", true);
        }
        if (spec.reverse()) {
            node.put("reverse", true);
        }
        if (spec.key() != null && spec.key().reference() != null) {
            node.put("keyFile", spec.key().reference());
        }
        ObjectNode hold = node.putObject("hold");
        hold.put("packets", spec.hold().packets());
        hold.put("bytes", spec.hold().bytes());
        ObjectNode drain = node.putObject("drain");
        drain.put("idle", format(spec.drain().idle()));
        drain.put("hardMax", format(spec.drain().hardMax()));
        if (spec.drain().dnsTtl() != null) {
            drain.put("dnsTtl", format(spec.drain().dnsTtl()));
        }
        return node;
    }

    /** A move's status as JSON. */
    public static ObjectNode write(MoveStatus status) {
        ObjectNode node = MAPPER.createObjectNode();
        node.set("move", write(status.spec()));
        node.put("state", status.state().name());
        ObjectNode counters = node.putObject("counters");
        status.counters().forEach(counters::put);
        ObjectNode drops = node.putObject("drops");
        status.drops().forEach((k, v) -> drops.put(k.name(), v));
        if (status.drainEndedBy() != null) {
            node.put("drainEndedBy", status.drainEndedBy().label());
        }
        return node;
    }

    /**
     * What a WAN move's DNS steps did, as a DRAINING event brings it: {@code {"originalTtl": "300s", "loweredAt":
     * "2026-12-04T10:15:30Z", "loweredTtl": "5s", "switchedAt": "2026-12-04T10:16:02Z"}}, each pair optional (see
     * {@link DrainPolicy.DnsChange#of}).
     *
     * @throws IllegalArgumentException naming the field that is missing, unknown or no duration or instant
     */
    public static DrainPolicy.DnsChange dnsChange(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(where + " must be an object");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        node.fieldNames().forEachRemaining(field -> fields.put(field, text(node, field, where, false)));
        fields.values().removeIf(java.util.Objects::isNull);
        return DrainPolicy.DnsChange.of(fields, where);
    }

    /** A DNS change as {@link #dnsChange} reads it. */
    public static ObjectNode write(DrainPolicy.DnsChange dns) {
        return MAPPER.valueToTree(dns.fields());
    }

    /** All counters as JSON. */
    public static ObjectNode write(ForwarderStats stats) {
        ObjectNode node = MAPPER.createObjectNode();
        ArrayNode moves = node.putArray("moves");
        stats.moves().forEach(m -> moves.add(write(m)));
        ObjectNode drops = node.putObject("unattributedDrops");
        stats.unattributedDrops().forEach((k, v) -> drops.put(k.name(), v));
        ObjectNode total = node.putObject("totalDrops");
        for (DropReason r : DropReason.values()) {
            total.put(r.name(), stats.drops(r));
        }
        ObjectNode totals = node.putObject("totals");
        for (String name : Counters.NAMES) {
            totals.put(name, stats.total(name));
        }
        return node;
    }

    /** {@code 300ms}, {@code 5s}, {@code 2m}, {@code 1h}; {@code null} gives {@code fallback}. */
    public static Duration duration(String text, Duration fallback, String where) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(where + ": '" + text + "' is no duration (expected like 300ms, 5s, 2m, 1h)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** A duration as {@code 300ms} / {@code 5s}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    /** {@code 198.19.0.2:4789} or {@code [2001:2::2]:4789}; without a port, 4789. */
    public static InetSocketAddress socketAddress(String text, String where) {
        String host = text.strip();
        int port = 4789;
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException(where + ": '" + text + "' lacks ']'");
            }
            if (host.length() > end + 1) {
                port = port(host.substring(end + 2), where);
            }
            host = host.substring(1, end);
        } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
            port = port(host.substring(host.indexOf(':') + 1), where);
            host = host.substring(0, host.indexOf(':'));
        }
        return new InetSocketAddress(address(host, where), port);
    }

    public static String formatSocket(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static int port(String text, String where) {
        try {
            int port = Integer.parseInt(text);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": bad port '" + text + "'", e);
        }
    }

    /** An IP literal (never a name: nothing is resolved). */
    public static InetAddress address(String text, String where) {
        try {
            return IpLiteral.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": '" + text + "' is no IP address", e);
        }
    }

    private static String text(JsonNode node, String field, String where, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new IllegalArgumentException(where + ": missing '" + field + "'");
            }
            return null;
        }
        if (!value.isValueNode()) {
            throw new IllegalArgumentException(where + ": '" + field + "' must be a single value");
        }
        return value.asText();
    }

    private static int integer(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new IllegalArgumentException(where + ": '" + field + "' must be an integer");
        }
        return value.asInt();
    }

    /** An enum constant by name, any case, with the choices in the error. */
    public static <E extends Enum<E>> E parseEnum(Class<E> type, String text, String where) {
        try {
            return Enum.valueOf(type, text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": '" + text + "' is none of " + java.util.Arrays.toString(type.getEnumConstants()), e);
        }
    }
}
