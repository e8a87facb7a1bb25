package io.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cutover.demo.SdnLabFabric;
import io.cutover.support.Durations;
import io.cutover.support.HostPort;
import io.cutover.support.JsonAnswer;
import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import io.cutover.support.Netns;
import io.cutover.sdn.ControllerOptions;
import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Link;
import io.cutover.sdn.Network;
import io.cutover.sdn.SdnController;
import io.cutover.sdn.rest.SdnRestServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code cutover sdn}: Run the OpenFlow 1.3 controller that moves VM flows, and talk to it. */
@Command(name = "sdn", mixinStandardHelpOptions = true,
        description = "Run the OpenFlow 1.3 controller that moves VM flows, and talk to it over REST.",
        subcommands = {SdnCommand.Serve.class, SdnCommand.Get.class, SdnCommand.Networks.class,
                SdnCommand.NetworkCmd.class, SdnCommand.MoveCmd.class, SdnCommand.MigrateState.class})
final class SdnCommand extends GroupCommand {
    static final String DEFAULT_REST = "127.0.0.1:8181";

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Run the controller in the foreground until interrupted (switches keep their flows).")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--listen", defaultValue = "127.0.0.1:6653",
                description = "OpenFlow address HOST:PORT (default: ${DEFAULT-VALUE}).")
        String listen;

        @Option(names = "--rest", defaultValue = DEFAULT_REST,
                description = "REST address HOST:PORT, or 'off' (default: ${DEFAULT-VALUE}).")
        String rest;

        @Option(names = "--state", description = "Directory of the journal of the desired state (default: memory only).")
        Path state;

        @Option(names = "--no-bundles", description = "Commit with ordered flow-mods and a barrier instead of bundles.")
        boolean noBundles;

        @Option(names = "--echo-interval", defaultValue = "5s", description = "Keepalive interval (default: ${DEFAULT-VALUE}).")
        String echoInterval;

        @Option(names = "--handshake-timeout", defaultValue = "5s",
                description = "Handshake time limit (default: ${DEFAULT-VALUE}).")
        String handshakeTimeout;

        @Option(names = "--token-file", description = "A file holding the bearer token every REST call must carry "
                + "(required when --rest listens beyond loopback).")
        Path tokenFile;

        @Option(names = "--tls-cert", description = "PEM certificate chain: switches connect with TLS (ssl:HOST:PORT).")
        Path tlsCert;

        @Option(names = "--tls-key", description = "PEM private key (PKCS#8) of --tls-cert.")
        Path tlsKey;

        @Option(names = "--tls-ca", description = "PEM certificate(s) of the CA that signs the switches' certificates "
                + "(ovs-pki's switchca/cacert.pem): a switch without a certificate it signed is refused before its "
                + "OpenFlow handshake (counted, one log line). The CA vouches for the key, not for a datapath "
                + "id (see --tls-switch). Needs --tls-cert.")
        Path tlsCa;

        @Option(names = "--tls-switch", paramLabel = "DPID=NAME", description = "Bind a datapath id to the name its "
                + "switch's certificate must carry (its CN, or the CN's first word as ovs-pki writes 'NAME id:UUID', or "
                + "a DNS SAN); repeat for each switch. With any, a switch claiming an unbound datapath id, or with "
                + "another certificate, is refused after its OpenFlow handshake, before it gets a flow. Needs --tls-ca.")
        List<String> tlsSwitches = new ArrayList<>();

        @Option(names = "--rest-tls-cert", description = "PEM certificate chain: the REST API speaks HTTPS.")
        Path restTlsCert;

        @Option(names = "--rest-tls-key", description = "PEM private key (PKCS#8) of --rest-tls-cert.")
        Path restTlsKey;

        @Option(names = "--rest-tls-ca", description = "PEM CA: every REST caller must present a certificate it signed "
                + "(mutual TLS, beside the token).")
        Path restTlsCa;

        @Option(names = "--netns", description = "Listen inside this network namespace (as 'ip netns' names it).")
        String netns;

        @Option(names = "--log-level", paramLabel = "LEVEL", description = "trace, debug, info, warn or error "
                + "(default: CUTOVER_LOG_LEVEL, else info).")
        String logLevel;

        @Option(names = "--lab", description = "Serve this lab: listen on its controller address ("
                + Topology.CONTROLLER_ADDRESS + ", at --listen's port) in its fabric namespace, attach its bridges and "
                + "its hosts' own switches, and load its hosts as endpoints when the journal is empty.")
        String lab;

        @Option(names = "--store", paramLabel = "HOST:PORT[,...]", description = "Run as a member of a controller "
                + "cluster on this replicated store (ZooKeeper's connect string): the desired state is kept there "
                + "(not in --state), the members elect a leader, which is the switches' master; the others are slaves "
                + "and refuse changes (503) until they lead. See docs/scale-out.md.")
        String store;

        @Option(names = "--store-root", defaultValue = io.cutover.store.StoreOptions.DEFAULT_ROOT,
                description = "The cluster's root in the store: one root, one cluster (default: ${DEFAULT-VALUE}).")
        String storeRoot;

        @Option(names = "--store-auth", paramLabel = "FILE", description = "With --store: the store's credential, one "
                + "line user:password (mode 0600). The controller authenticates with it (ZooKeeper's digest scheme) "
                + "and its documents are that identity's alone. Required with --store; with --lab, the lab's own "
                + "(store/store.auth) by default. See docs/security.md.")
        Path storeAuth;

        @Option(names = "--store-netns", description = "With --store: reach the store from this network namespace (as "
                + "'ip netns' names it), such as a lab's fabric, while the controller listens where it runs.")
        String storeNetns;

        @Option(names = "--store-session-timeout", defaultValue = "1500ms", description = "How long the store keeps a "
                + "silent member's session, and so its leadership: a dead leader's successor takes over about this "
                + "long after it died (default: ${DEFAULT-VALUE}; at least 2 of the store's ticks).")
        String storeSessionTimeout;

        @Option(names = "--cluster-ports", split = ",", paramLabel = "PORT", description = "With --lab and --store: "
                + "the OpenFlow ports of every member of the cluster on the lab's controller address (this one's "
                + "included); each switch connects to all of them.")
        List<Integer> clusterPorts = new ArrayList<>();

        /** The REST API's TLS files, or {@code null} for plain HTTP; read now, so that a bad file stops the start. */
        private io.cutover.support.TlsFiles restTls() {
            if (restTlsCert == null && restTlsKey == null && restTlsCa == null) {
                return null;
            }
            if (restTlsCert == null || restTlsKey == null) {
                throw new IllegalArgumentException("--rest-tls-cert and --rest-tls-key go together (and --rest-tls-ca "
                        + "needs them)");
            }
            return new io.cutover.support.TlsFiles(restTlsCert, restTlsKey, restTlsCa, restTlsCa != null).checked();
        }

        /** The cluster's store, or {@code null} for a controller alone. */
        private io.cutover.store.StoreOptions storeOptions() {
            if (store == null) {
                if (!clusterPorts.isEmpty()) {
                    throw new IllegalArgumentException("--cluster-ports needs --store");
                }
                return null;
            }
            if (state != null) {
                throw new IllegalArgumentException("--store keeps the desired state in the cluster's store: drop --state");
            }
            if (!clusterPorts.isEmpty() && lab == null) {
                throw new IllegalArgumentException("--cluster-ports is for --lab (point your switches at every member "
                        + "with ovs-vsctl set-controller BRIDGE TARGET...)");
            }
            Path credential = storeAuth != null ? storeAuth
                    : lab == null ? null : Lab.attach(lab).store().map(s -> s.credentialFile()).orElse(null);
            return io.cutover.store.StoreOptions.of(store).withRoot(storeRoot)
                    .withSessionTimeout(Durations.parsePositive("--store-session-timeout", storeSessionTimeout))
                    .withCredential(StoreAuth.read(credential));
        }

        @Override
        public Integer call() throws Exception {
            if (logLevel != null) {
                try {
                    DaemonLogging.apply(io.cutover.support.LogLevel.parse(logLevel));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--log-level: " + e.getMessage(), e);
                }
            }
            HostPort openflow = HostPort.parse("--listen", listen);
            ControllerOptions.Builder options = ControllerOptions.builder()
                    .bindAddress(lab == null ? openflow.host() : Topology.CONTROLLER_ADDRESS)
                    .port(openflow.port()).stateDir(state).bundles(!noBundles).store(storeOptions())
                    .echoInterval(Durations.parsePositive("--echo-interval", echoInterval))
                    .handshakeTimeout(Durations.parsePositive("--handshake-timeout", handshakeTimeout));
            if ((tlsCert == null) != (tlsKey == null)) {
                throw new IllegalArgumentException("--tls-cert and --tls-key go together");
            }
            if (tlsCa != null && tlsCert == null) {
                throw new IllegalArgumentException("--tls-ca needs --tls-cert and --tls-key");
            }
            if (tlsCert != null) {
                options.sslContext(io.cutover.sdn.ControllerTls.server(tlsCert, tlsKey, tlsCa));
            }
            if (!tlsSwitches.isEmpty()) {
                if (tlsCa == null) {
                    throw new IllegalArgumentException("--tls-switch needs --tls-ca");
                }
                options.switchIdentities(io.cutover.sdn.SwitchIdentities.parse(tlsSwitches));
            }
            Lab attached = lab == null ? null : Lab.attach(lab);
            if (attached != null) {
                netns = attached.namespace(Topology.FABRIC);
            }
            if (netns != null) {
                options.threadFactory(Netns.threadFactory(netns));
            }
            if (storeNetns != null) {
                if (store == null) {
                    throw new IllegalArgumentException("--store-netns needs --store");
                }
                options.storeThreadFactory(Netns.threadFactory(storeNetns));
            }
            HostPort restAddress = "off".equals(rest) ? null : HostPort.parse("--rest", rest);
            io.cutover.support.TlsFiles restTls = restTls();
            SdnController sdn = SdnController.start(options.build());
            SdnRestServer restServer = null;
            CountDownLatch stopped = new CountDownLatch(1);
            try {
                if (restAddress != null) {
                    restServer = SdnRestServer.start(sdn, restAddress.host(), restAddress.port(),
                            TokenFile.read(tokenFile), restTls);
                }
                if (attached != null) {
                    List<String> bridges = attached.topology().bridges();
                    if (store == null) {
                        SdnLabFabric.attach(attached, sdn.address().getPort(), bridges);
                        SdnLabFabric.attachHostSwitches(attached, sdn.address().getPort());
                    } else {
                        List<Integer> ports = new ArrayList<>(clusterPorts);
                        if (!ports.contains(sdn.address().getPort())) {
                            ports.add(sdn.address().getPort());
                        }
                        SdnLabFabric.attachCluster(attached, ports, bridges);
                        SdnLabFabric.attachHostSwitchesToCluster(attached, ports);
                    }
                    List<Dpid> switches = new ArrayList<>(SdnLabFabric.dpids(attached, bridges));
                    switches.addAll(SdnLabFabric.hostSwitchIds(attached));
                    sdn.awaitSwitches(switches, Duration.ofSeconds(30)).toCompletableFuture().join();
                    // a member of a cluster loads the lab's hosts only as its master (a slave would be refused)
                    boolean writes = store == null || sdn.awaitRole(io.cutover.sdn.ControllerRole.MASTER,
                            Duration.ofSeconds(3));
                    if (writes && sdn.endpoints().isEmpty()) {
                        List<Link> links = new ArrayList<>(SdnLabFabric.links(attached));
                        links.addAll(SdnLabFabric.hostUplinks(attached));
                        sdn.setLinks(links).toCompletableFuture().join();
                        List<Endpoint> endpoints = new ArrayList<>(SdnLabFabric.endpoints(attached));
                        endpoints.addAll(SdnLabFabric.forwarderEndpoints(attached, endpoints.size() + 1));
                        for (Endpoint endpoint : endpoints) {
                            sdn.putEndpoint(endpoint).toCompletableFuture().join();
                        }
                    }
                }
                System.out.println("sdn controller: openflow " + sdn.address()
                        + (netns == null ? "" : " (namespace " + netns + ")")
                        + (restServer == null ? "" : ", rest http://" + restAddress.host() + ":" + restServer.port() + "/v1")
                        + ", " + sdn.endpoints().size() + " endpoints"
                        + (store == null ? "" : ", cluster member, " + sdn.role()));
                io.cutover.support.SystemdNotify.ready("openflow " + sdn.address()
                        + (restServer == null ? "" : ", rest port " + restServer.port()));
                SdnController toClose = sdn;
                SdnRestServer restToClose = restServer;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    if (restToClose != null) {
                        restToClose.close();
                    }
                    toClose.close();
                    stopped.countDown();
                }, "sdn-shutdown"));
                stopped.await();
                return ExitCode.OK;
            } catch (RuntimeException e) {
                if (restServer != null) {
                    restServer.close();
                }
                sdn.close();
                throw e;
            }
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = "GET a REST resource and print it as a table: switches (each switch's datapath id and bridge "
                    + "name), switches/DPID/ports, switches/DPID/flows (cookies as 0x...), endpoints, networks, links, "
                    + "moves, or one endpoint, network or move; any other resource as JSON.")
    static final class Get implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Rest api = new Rest();

        @Option(names = "--json", description = "Print the controller's JSON as it gives it, for scripts.")
        boolean json;

        @Parameters(paramLabel = "RESOURCE", description = "Path under /v1.")
        String resource;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            JsonAnswer answer = api.send("GET", resource, null);
            java.io.PrintWriter out = spec.commandLine().getOut();
            if (answer.status() / 100 != 2) {
                return DaemonRest.refused(answer, spec.commandLine().getErr());
            }
            java.util.Optional<Table> table = json ? java.util.Optional.empty() : SdnTables.of(resource, answer.body());
            if (table.isPresent()) {
                table.get().print(out);
            } else {
                out.println(answer.body() == null ? "" : answer.body().toPrettyString());
                out.flush();
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "networks", mixinStandardHelpOptions = true,
            description = "List the controller's networks: ID (what endpoints name), VNI (what carries it between "
                    + "hypervisors), NAME. None defined: networks are implicit, any id, its VNI the id.")
    static final class Networks implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Rest api = new Rest();

        @Option(names = "--json", description = "Print the controller's JSON as it gives it, for scripts.")
        boolean json;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            JsonAnswer answer = api.send("GET", "networks", null);
            if (answer.status() / 100 != 2) {
                return DaemonRest.refused(answer, spec.commandLine().getErr());
            }
            java.io.PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(answer.body().toPrettyString());
                out.flush();
            } else {
                SdnTables.networks(answer.body()).print(out);
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "network", mixinStandardHelpOptions = true,
            description = "Define or delete a network of the controller.",
            subcommands = {NetworkCmd.Add.class, NetworkCmd.Delete.class})
    static final class NetworkCmd extends GroupCommand {
        @Command(name = "add", mixinStandardHelpOptions = true,
                description = "Define a network. Once one is defined, endpoints must name a defined network. The very "
                        + "same network again is no error; another VNI or name for a defined id, or a VNI another "
                        + "network carries, is refused (exit 2).")
        static final class Add implements Callable<Integer> {
            @picocli.CommandLine.Mixin
            Rest api = new Rest();

            @Option(names = "--id", required = true, description = "Its id, 1..65535: what endpoints name.")
            int id;

            @Option(names = "--vni", required = true, description = "Its VXLAN network identifier, 1..16777215.")
            int vni;

            @Option(names = "--name", required = true, description = "A label for people, such as tenant-a.")
            String name;

            @picocli.CommandLine.Spec
            picocli.CommandLine.Model.CommandSpec spec;

            @Override
            public Integer call() {
                Network network = new Network(id, vni, name);
                JsonAnswer answer = api.send("POST", "networks", network);
                if (answer.status() / 100 != 2) {
                    return DaemonRest.refused(answer, spec.commandLine().getErr());
                }
                spec.commandLine().getOut().println("network " + id + (answer.status() == 201 ? " added" : " already "
                        + "defined") + ": vni " + vni + ", name " + name);
                spec.commandLine().getOut().flush();
                return ExitCode.OK;
            }
        }

        @Command(name = "delete", mixinStandardHelpOptions = true,
                description = "Delete a network no endpoint is in (exit 2 while endpoints are in it, or when it is not "
                        + "defined).")
        static final class Delete implements Callable<Integer> {
            @picocli.CommandLine.Mixin
            Rest api = new Rest();

            @Parameters(paramLabel = "ID", description = "The network's id.")
            int id;

            @picocli.CommandLine.Spec
            picocli.CommandLine.Model.CommandSpec spec;

            @Override
            public Integer call() {
                JsonAnswer answer = api.send("DELETE", "networks/" + id, null);
                if (answer.status() / 100 != 2) {
                    return DaemonRest.refused(answer, spec.commandLine().getErr());
                }
                spec.commandLine().getOut().println("network " + id + " deleted");
                spec.commandLine().getOut().flush();
                return ExitCode.OK;
            }
        }
    }

    @Command(name = "move", mixinStandardHelpOptions = true,
            description = "Drive a move: prepare ENDPOINT SWITCH PORT | redirect ID PORT | commit ID | cleanup ID | rollback ID."
                    + " SWITCH is the destination switch's datapath id (16 hex digits, 0x... or 00:00:...).")
    static final class MoveCmd implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Rest api = new Rest();

        @Parameters(index = "0", paramLabel = "ACTION", description = "prepare, redirect, commit, cleanup or rollback.")
        String action;

        @Parameters(index = "1..*", paramLabel = "ARG")
        List<String> args = List.of();

        @Override
        public Integer call() throws Exception {
            switch (action.toLowerCase(Locale.ROOT)) {
                case "prepare" -> {
                    need(3);
                    Dpid toSwitch = Dpid.parse(args.get(1));
                    return api.call("POST", "moves", JsonNodeFactory.instance.objectNode()
                            .put("endpoint", args.get(0)).put("toSwitch", toSwitch.toString()).put("toPort", args.get(2)));
                }
                case "redirect" -> {
                    need(2);
                    return api.call("POST", "moves/" + args.get(0) + "/redirect",
                            JsonNodeFactory.instance.objectNode().put("port", args.get(1)));
                }
                case "commit", "cleanup", "rollback" -> {
                    need(1);
                    return api.call("POST", "moves/" + args.get(0) + "/" + action.toLowerCase(Locale.ROOT), null);
                }
                default -> throw new IllegalArgumentException("unknown move action '" + action
                        + "' (expected prepare, redirect, commit, cleanup or rollback)");
            }
        }

        private void need(int count) {
            if (args.size() != count) {
                throw new IllegalArgumentException("'move " + action + "' takes " + count + " arguments, not " + args.size());
            }
        }
    }

    @Command(name = "migrate-state", mixinStandardHelpOptions = true,
            description = "Rewrite a journal written when switches were named by bridge name so that it names them by "
                    + "datapath id (run it with the controller stopped; the old file is kept as state.json.by-name).")
    static final class MigrateState implements Callable<Integer> {
        @Option(names = "--state", required = true, description = "The controller's state directory.")
        Path state;

        @Option(names = "--switch", paramLabel = "BRIDGE=DPID", required = true,
                description = "A bridge name the journal uses and its switch's datapath id "
                        + "('ovs-vsctl get Bridge BRIDGE datapath_id' prints it); repeat for each.")
        java.util.Map<String, String> switches;

        @Override
        public Integer call() {
            java.util.Map<String, Dpid> dpids = new java.util.TreeMap<>();
            switches.forEach((bridge, dpid) -> dpids.put(bridge, Dpid.parse(dpid)));
            SdnController.migrateJournal(state, dpids);
            System.out.println("sdn state in " + state + ": switches named by datapath id");
            return ExitCode.OK;
        }
    }

    /**
     * The controller's REST API from the command line, as the options of a command say: prints the JSON body; exit 0
     * on 2xx, 2 on 4xx, 1 otherwise.
     */
    static final class Rest {
        @Option(names = "--rest", defaultValue = DEFAULT_REST, description = "The controller's REST address.")
        String rest;

        @Option(names = "--token-file", description = "A file holding the controller's bearer token.")
        Path tokenFile;

        @Option(names = "--tls-ca", description = "The CA of an HTTPS controller's certificate (sdn serve "
                + "--rest-tls-cert): calls it over HTTPS.")
        Path tlsCa;

        @Option(names = "--tls-cert", description = "A PEM certificate to present when the controller asks for one.")
        Path tlsCert;

        @Option(names = "--tls-key", description = "The PEM private key (PKCS#8) of --tls-cert.")
        Path tlsKey;

        int call(String method, String path, JsonNode body) {
            JsonAnswer answer = send(method, path, body);
            if (answer.status() / 100 != 2) {
                return DaemonRest.refused(answer, new java.io.PrintWriter(System.err, true));
            }
            System.out.println(answer.text());
            return ExitCode.OK;
        }

        JsonAnswer send(String method, String path, Object body) {
            HostPort address = HostPort.parse("--rest", rest);
            if (tlsCa == null && (tlsCert != null || tlsKey != null)) {
                throw new IllegalArgumentException("--tls-cert and --tls-key need --tls-ca");
            }
            io.cutover.support.TlsFiles tls = tlsCa == null ? null
                    : new io.cutover.support.TlsFiles(tlsCert, tlsKey, tlsCa, false);
            String scheme = tls == null ? "http" : "https";
            return DaemonRest.send(URI.create(scheme + "://" + address.host() + ":" + address.port() + "/v1/"),
                    TokenFile.read(tokenFile), tls, method, path, body, "no controller answers at " + rest
                            + " (start it with 'cutover sdn serve')");
        }
    }
}
