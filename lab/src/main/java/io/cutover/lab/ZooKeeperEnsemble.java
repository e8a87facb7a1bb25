package io.cutover.lab;

import io.cutover.lab.impl.Daemons;
import io.cutover.lab.impl.Shell;
import io.cutover.lab.impl.StateJournal;
import io.cutover.lab.impl.ZooKeeperMember;
import io.cutover.store.StoreCredential;
import io.cutover.support.Netns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lab's replicated store: a ZooKeeper ensemble of three members ({@link Topology#STORE_MEMBERS}), each in a
 * namespace of its own, cabled to the fabric on the store's management network ({@link Topology#storeCable}), so that
 * the controller in the fabric and the agents in hostA and hostB reach all of them at
 * {@link #connectString()}. Each member is a journaled daemon: {@code lab down} stops it with the rest of the lab.
 * The members take only clients that authenticate with the credential the lab makes ({@link #credentialFile()}).
 * <p>
 * Tests stop and start members to take away and give back the quorum ({@link #stop(String)}, {@link #start(String)}).
 */
public final class ZooKeeperEnsemble {
    /** How long {@link #start} waits for the ensemble to elect a leader (three JVMs starting on two busy cores). */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** The user of the clients' credential. */
    public static final String CLIENT_USER = "cutover";

    private final Lab lab;
    private final Map<String, ZooKeeperMember> members = new LinkedHashMap<>();

    private ZooKeeperEnsemble(Lab lab) {
        this.lab = lab;
        for (String member : Topology.STORE_MEMBERS) {
            members.put(member, new ZooKeeperMember(dir(lab).resolve(member), member, lab.namespace(member)));
        }
    }

    /** Where the store's members keep their configuration, data, pid files and logs. */
    static Path dir(Lab lab) {
        return lab.storeDir();
    }

    /**
     * Adds the store to {@code lab}: the members' namespaces and cables, their routes, and the three servers, and
     * waits until they have elected a leader.
     *
     * @throws LabException when the store is already there, a step fails, or no leader within {@link #START_TIMEOUT}
     *                      (the members' logs are named); what was started stays journaled, for {@code lab down}
     */
    static ZooKeeperEnsemble start(Lab lab, StateJournal journal) {
        if (Files.exists(dir(lab))) {
            throw new LabException("lab " + lab.name() + " already has its store (" + dir(lab) + ")");
        }
        ZooKeeperEnsemble ensemble = new ZooKeeperEnsemble(lab);
        try {
            Files.createDirectories(dir(lab));
        } catch (java.io.IOException e) {
            throw new LabException("cannot make the store's directory " + dir(lab) + ": " + e.getMessage(), e);
        }
        StoreCredential.create(ensemble.credentialFile(), CLIENT_USER);
        for (String member : Topology.STORE_MEMBERS) {
            String namespace = lab.namespace(member);
            journal.recordNamespace(namespace);
            Shell.run("ip", "netns", "add", namespace).orThrow();
            Shell.run("ip", "-n", namespace, "link", "set", "lo", "up").orThrow();
            cable(lab, Topology.storeCable(member));
        }
        // the fabric routes between the members' cables and the hosts' management cables
        Shell.runIn(lab.namespace(Topology.FABRIC), "sysctl", "-q", "-w", "net.ipv4.ip_forward=1").orThrow();
        for (Route route : Topology.storeRoutes()) {
            Shell.run("ip", "-n", lab.namespace(route.node()), "route", "add", route.destination(), "via",
                    route.via()).orThrow();
        }
        ensemble.members.values().forEach(ZooKeeperMember::configure);
        ensemble.members.values().forEach(member -> member.start(journal));
        ensemble.awaitLeader(START_TIMEOUT);
        return ensemble;
    }

    /** The store of {@code lab}, if it was started ({@code lab up --store} or {@link Lab#startStore()}). */
    static Optional<ZooKeeperEnsemble> of(Lab lab) {
        return Files.isDirectory(dir(lab)) ? Optional.of(new ZooKeeperEnsemble(lab)) : Optional.empty();
    }

    private static void cable(Lab lab, Wire wire) {
        String nodeA = lab.namespace(wire.nodeA());
        String nodeB = lab.namespace(wire.nodeB());
        Shell.run("ip", "link", "add", wire.ifaceA(), "netns", nodeA, "type", "veth", "peer", "name",
                wire.ifaceB(), "netns", nodeB).orThrow();
        Shell.run("ip", "-n", nodeA, "addr", "add", wire.ipv4A(), "dev", wire.ifaceA()).orThrow();
        Shell.run("ip", "-n", nodeB, "addr", "add", wire.ipv4B(), "dev", wire.ifaceB()).orThrow();
        Shell.run("ip", "-n", nodeA, "link", "set", wire.ifaceA(), "up").orThrow();
        Shell.run("ip", "-n", nodeB, "link", "set", wire.ifaceB(), "up").orThrow();
    }

    /**
     * The clients' credential, {@code store.auth} in the store's directory (mode 0600): {@value #CLIENT_USER} and a
     * random password, made at start. The members refuse every client that does not authenticate (digest), and the
     * documents the clients make are that identity's alone; give it to every controller and agent on the store
     * ({@code --store-auth}).
     */
    public Path credentialFile() {
        return dir(lab).resolve("store.auth");
    }

    /** The clients' credential, read from {@link #credentialFile()}. */
    public StoreCredential credential() {
        return StoreCredential.read(credentialFile());
    }

    /** The clients' connect string: {@code 198.19.3.2:2181,198.19.3.6:2181,198.19.3.10:2181}. */
    public String connectString() {
        return Topology.storeConnectString();
    }

    /** The members' names, {@code zk1}, {@code zk2}, {@code zk3}. */
    public List<String> members() {
        return List.copyOf(members.keySet());
    }

    /** {@code member}'s address, where it serves clients on {@link Topology#STORE_CLIENT_PORT}. */
    public String address(String member) {
        return Topology.storeAddress(member(member).name());
    }

    /** Stops {@code member}'s server (SIGTERM, then SIGKILL after 5 s); its data stays. */
    public void stop(String member) {
        member(member).stop();
    }

    /** Kills {@code member}'s server at once (SIGKILL), as a crash would. */
    public void kill(String member) {
        Daemons.alivePid(member(member).pidFile()).ifPresent(pid -> ProcessHandle.of(pid).ifPresent(process -> {
            process.destroyForcibly();
            Daemons.awaitExit(process, Duration.ofSeconds(5));
        }));
    }

    /** Starts {@code member}'s server again after {@link #stop}; returns at once (it rejoins within seconds). */
    public void start(String member) {
        member(member).start(null);
    }

    public boolean running(String member) {
        return member(member).running();
    }

    /** {@code member}'s pid file (for {@code lab status}). */
    public Path pidFile(String member) {
        return member(member).pidFile();
    }

    /** {@code member}'s log. */
    public Path log(String member) {
        return member(member).log();
    }

    /**
     * What {@code member} says it is ({@code srvr}, asked from the fabric): {@code leader} or {@code follower}, or
     * empty when it is down or has no quorum.
     */
    public Optional<String> mode(String member) {
        try (Netns fabric = lab.netns(Topology.FABRIC)) {
            return member(member).mode(fabric);
        }
    }

    /**
     * Waits until one running member leads and every other running member follows.
     *
     * @return the leader's name
     * @throws LabException when that does not happen within {@code timeout}; it says what each member answered
     */
    public String awaitLeader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Netns fabric = lab.netns(Topology.FABRIC)) {
            Map<String, Optional<String>> modes = new LinkedHashMap<>();
            while (true) {
                modes.clear();
                for (ZooKeeperMember member : members.values()) {
                    modes.put(member.name(), member.running() ? member.mode(fabric) : Optional.of("stopped"));
                }
                List<String> leaders = modes.entrySet().stream()
                        .filter(e -> e.getValue().equals(Optional.of("leader"))).map(Map.Entry::getKey).toList();
                boolean othersFollow = modes.values().stream().allMatch(mode -> mode.equals(Optional.of("leader"))
                        || mode.equals(Optional.of("follower")) || mode.equals(Optional.of("stopped")));
                if (leaders.size() == 1 && othersFollow) {
                    return leaders.get(0);
                }
                if (System.nanoTime() >= deadline) {
                    List<String> said = new ArrayList<>();
                    modes.forEach((name, mode) -> said.add(name + " " + mode.orElse("not serving")));
                    throw new LabException("the store's ensemble has no leader after " + timeout.toSeconds() + " s ("
                            + String.join(", ", said) + "); see " + dir(lab) + "/zk*/zookeeper.log");
                }
                Daemons.sleep(Duration.ofMillis(250));
            }
        }
    }

    private ZooKeeperMember member(String name) {
        ZooKeeperMember member = members.get(name);
        if (member == null) {
            throw new IllegalArgumentException(name + " is not one of the store's members " + members.keySet());
        }
        return member;
    }
}
