package io.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cutover.sdn.Cookie;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code sdn get}'s tables: the controller's listings (switches, a switch's ports and flows, endpoints, networks, links,
 * moves)
 * with a header row each. Which table a resource gets is decided by its path, not guessed from its JSON; a resource
 * without a table is printed as JSON. Cookies are written {@code 0x…} as {@code ovs-ofctl} shows them (the API gives
 * them as numbers, negative once their top bit is set).
 */
final class SdnTables {
    private static final Pattern SWITCH_PORTS = Pattern.compile("switches/[^/]+/ports");
    private static final Pattern SWITCH_FLOWS = Pattern.compile("switches/[^/]+/flows");
    private static final Pattern ONE_ENDPOINT = Pattern.compile("endpoints/[^/]+");
    private static final Pattern ONE_MOVE = Pattern.compile("moves/[^/]+");
    private static final Pattern ONE_NETWORK = Pattern.compile("networks/[^/]+");

    private SdnTables() {
    }

    /** The table for {@code resource} (a path under {@code /v1}, perhaps with a query) and its answer, if it has one. */
    static Optional<Table> of(String resource, JsonNode body) {
        if (body == null) {
            return Optional.empty();
        }
        String path = resource.replaceFirst("\\?.*$", "").replaceFirst("^/+", "").replaceFirst("^v1/", "")
                .replaceFirst("/+$", "");
        if (path.equals("switches")) {
            return Optional.of(switches(body));
        } else if (SWITCH_PORTS.matcher(path).matches()) {
            return Optional.of(ports(body));
        } else if (SWITCH_FLOWS.matcher(path).matches()) {
            return Optional.of(flows(body));
        } else if (path.equals("endpoints") || ONE_ENDPOINT.matcher(path).matches()) {
            return Optional.of(endpoints(items(body)));
        } else if (path.equals("networks") || ONE_NETWORK.matcher(path).matches()) {
            return Optional.of(networks(body));
        } else if (path.equals("links")) {
            return Optional.of(links(body));
        } else if (path.equals("moves") || ONE_MOVE.matcher(path).matches()) {
            return Optional.of(moves(items(body)));
        }
        return Optional.empty();
    }

    static Table switches(JsonNode switches) {
        Table table = new Table("DPID", "NAME", "CONNECTED", "PORTS");
        for (JsonNode s : switches) {
            List<String> ports = new ArrayList<>();
            s.path("ports").fieldNames().forEachRemaining(ports::add);
            table.row(s.path("dpid").asText(), s.path("name").asText(null), s.path("connected").asBoolean() ? "yes" : "no",
                    String.join(" ", ports.stream().sorted().toList()));
        }
        return table;
    }

    static Table ports(JsonNode ports) {
        Table table = new Table("PORT", "NUMBER");
        ports.fields().forEachRemaining(p -> table.row(p.getKey(), p.getValue().asInt()));
        return table;
    }

    static Table flows(JsonNode flows) {
        Table table = new Table("SWITCH", "TABLE", "PRIORITY", "COOKIE", "MATCH", "INSTRUCTIONS");
        for (JsonNode f : flows) {
            table.row(f.path("switch").asText(), f.path("table").asInt(), f.path("priority").asInt(),
                    Cookie.format(f.path("cookie").asLong()), f.path("match").asText(), f.path("instructions").asText());
        }
        return table;
    }

    static Table endpoints(List<JsonNode> endpoints) {
        Table table = new Table("NAME", "ID", "NETWORK", "MAC", "SWITCH", "PORT", "ADDRESSES");
        for (JsonNode e : endpoints) {
            List<String> addresses = new ArrayList<>();
            e.path("addresses").forEach(a -> addresses.add(a.asText()));
            table.row(e.path("name").asText(), e.path("id").asInt(), e.path("network").asInt(), e.path("mac").asText(),
                    e.path("switch").asText(), e.path("port").asText(), String.join(" ", addresses));
        }
        return table;
    }

    /** Networks (a listing, or the one network {@code networks/ID} gives), by id as the controller lists them. */
    static Table networks(JsonNode networks) {
        Table table = new Table("ID", "VNI", "NAME");
        for (JsonNode n : items(networks)) {
            table.row(n.path("id").asInt(), n.path("vni").asInt(), n.path("name").asText());
        }
        return table;
    }

    static Table links(JsonNode links) {
        Table table = new Table("SWITCH A", "PORT A", "SWITCH B", "PORT B");
        for (JsonNode l : links) {
            table.row(l.path("switchA").asText(), l.path("portA").asText(), l.path("switchB").asText(),
                    l.path("portB").asText());
        }
        return table;
    }

    static Table moves(List<JsonNode> moves) {
        Table table = new Table("ID", "ENDPOINT", "STATE", "FROM", "TO", "FORWARDER");
        for (JsonNode m : moves) {
            table.row(m.path("id").asInt(), m.path("endpoint").asText(), m.path("state").asText(),
                    m.path("fromSwitch").asText() + " " + m.path("fromPort").asText(),
                    m.path("toSwitch").asText() + " " + m.path("toPort").asText(), m.path("forwarderPort").asText(null));
        }
        return table;
    }

    /** A listing's items, or the one item a resource such as {@code moves/3} gives. */
    private static List<JsonNode> items(JsonNode body) {
        List<JsonNode> items = new ArrayList<>();
        if (body.isArray()) {
            body.forEach(items::add);
        } else {
            items.add(body);
        }
        return items;
    }
}
