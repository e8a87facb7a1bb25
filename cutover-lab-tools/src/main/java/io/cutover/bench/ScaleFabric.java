package io.cutover.bench;

import io.cutover.bench.sim.SwitchSpec;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Link;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fabric {@code bench scale} simulates: a tree of one root switch, top-of-rack switches under it and leaf switches
 * under those (about {@value #LEAVES_PER_TOR} a rack), the endpoints spread over the leaves, one port each
 * ({@code vmK}); every leaf also has a forwarder port ({@code fwd}) and a port moved endpoints arrive on ({@code mig}).
 * One network: every switch forwards to every endpoint.
 */
record ScaleFabric(int switches, int endpoints, int tors, int leaves) {
    static final int LEAVES_PER_TOR = 25;
    static final long ROOT = 1;
    static final String FORWARDER_PORT = "fwd";
    static final String ARRIVAL_PORT = "mig";
    static final int NETWORK = 1;

    static ScaleFabric of(int switches, int endpoints) {
        if (switches < 3) {
            throw new IllegalArgumentException("--switches must be at least 3 (a root, a rack switch and a leaf)");
        }
        int tors = Math.max(1, (switches - 1 + LEAVES_PER_TOR) / (LEAVES_PER_TOR + 1));
        return new ScaleFabric(switches, endpoints, tors, switches - 1 - tors);
    }

    static long torDpid(int t) {
        return 0x1000L + t;
    }

    static long leafDpid(int l) {
        return 0x100000L + l;
    }

    /** The leaf endpoint {@code i} starts on. */
    int leafOf(int endpoint) {
        return endpoint % leaves;
    }

    private int portsPerLeaf() {
        return (endpoints + leaves - 1) / leaves;
    }

    List<SwitchSpec> specs() {
        List<SwitchSpec> specs = new ArrayList<>(switches);
        List<String> rootPorts = new ArrayList<>();
        for (int t = 0; t < tors; t++) {
            rootPorts.add("down" + t);
        }
        specs.add(new SwitchSpec(ROOT, "root", rootPorts));
        List<List<String>> torPorts = new ArrayList<>();
        for (int t = 0; t < tors; t++) {
            torPorts.add(new ArrayList<>(List.of("up")));
        }
        for (int l = 0; l < leaves; l++) {
            torPorts.get(l % tors).add("down" + l);
        }
        for (int t = 0; t < tors; t++) {
            specs.add(new SwitchSpec(torDpid(t), "tor" + t, torPorts.get(t)));
        }
        for (int l = 0; l < leaves; l++) {
            List<String> ports = new ArrayList<>(List.of("up", FORWARDER_PORT, ARRIVAL_PORT));
            for (int k = 0; k < portsPerLeaf(); k++) {
                ports.add("vm" + k);
            }
            specs.add(new SwitchSpec(leafDpid(l), "leaf" + l, ports));
        }
        return specs;
    }

    List<Link> links() {
        List<Link> links = new ArrayList<>();
        for (int t = 0; t < tors; t++) {
            links.add(new Link(Dpid.of(ROOT), "down" + t, Dpid.of(torDpid(t)), "up"));
        }
        for (int l = 0; l < leaves; l++) {
            links.add(new Link(Dpid.of(torDpid(l % tors)), "down" + l, Dpid.of(leafDpid(l)), "up"));
        }
        return links;
    }

    Endpoint endpoint(int i) {
        String mac = String.format(Locale.ROOT, "02:5c:%02x:%02x:%02x:%02x", (i >>> 24) & 0xff, (i >>> 16) & 0xff,
                (i >>> 8) & 0xff, i & 0xff);
        return new Endpoint(i + 1, "e" + i, NETWORK, mac, List.of(), Dpid.of(leafDpid(leafOf(i))), "vm" + (i / leaves));
    }

    /** What the JSON report says of the topology. */
    String describe() {
        return "a tree: 1 root, " + tors + " rack switches under it, " + leaves + " leaves under those (ports: up, "
                + FORWARDER_PORT + ", " + ARRIVAL_PORT + ", vm0..vm" + (portsPerLeaf() - 1) + "); " + endpoints
                + " endpoints of network " + NETWORK + ", endpoint i on leaf i mod " + leaves + ", port vm(i div "
                + leaves + ")";
    }
}
