package io.cutover.lab.impl;

import io.cutover.lab.LabException;
import io.cutover.lab.Topology;
import io.cutover.support.Netns;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One member of the lab's ZooKeeper ensemble: Debian's ZooKeeper server ({@code QuorumPeerMain}) in the member's
 * namespace, with its configuration, data, pid file and log in {@code DIR}. Its heap is small (the lab's machine has
 * two cores and runs other things); its admin server is off and it answers two four-letter words only, {@code srvr}
 * and {@code ruok}.
 */
public final class ZooKeeperMember {
    /** Debian's server jar (its manifest names the rest of its class path) and a logging binding for it. */
    static final List<String> CLASS_PATH = List.of("/usr/share/java/zookeeper.jar", "/usr/share/java/slf4j-simple.jar");
    private static final String MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain";
    private static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);

    private final Path dir;
    private final String member;
    private final String namespace;

    public ZooKeeperMember(Path dir, String member, String namespace) {
        this.dir = dir;
        this.member = member;
        this.namespace = namespace;
    }

    public String name() {
        return member;
    }

    public Path pidFile() {
        return dir.resolve("zookeeper.pid");
    }

    public Path log() {
        return dir.resolve("zookeeper.log");
    }

    public Path config() {
        return dir.resolve("zoo.cfg");
    }

    /** Its id in the ensemble ({@code myid}): 1 for {@code zk1}, and so on. */
    public int id() {
        return Topology.STORE_MEMBERS.indexOf(member) + 1;
    }

    /** Writes {@code zoo.cfg} and the data directory with {@code myid}, after checking that the server jars are there. */
    public void configure() {
        for (String jar : CLASS_PATH) {
            if (!Files.isRegularFile(Path.of(jar))) {
                throw new io.cutover.lab.MissingPrerequisiteException("the replicated store needs " + jar
                        + " (Debian packages zookeeper and libslf4j-java; scripts/install-packages.sh installs them)");
            }
        }
        try {
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(dir.resolve("data").resolve("myid"), id() + "\n");
            Files.writeString(config(), config(dir.resolve("data"), Topology.storeAddress(member)));
        } catch (IOException e) {
            throw new LabException("cannot write the store member " + member + "'s files in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * The member's {@code zoo.cfg}: a tick of 500 ms so that an election takes a few seconds, not tens; every client
     * must authenticate with ZooKeeper's digest scheme (the lab's {@code store.auth}) before anything else.
     */
    static String config(Path dataDir, String address) {
        StringBuilder cfg = new StringBuilder()
                .append("tickTime=500\n")
                .append("initLimit=20\n")
                .append("syncLimit=6\n")
                .append("dataDir=").append(dataDir).append('\n')
                .append("clientPortAddress=").append(address).append('\n')
                .append("clientPort=").append(Topology.STORE_CLIENT_PORT).append('\n')
                .append("maxSessionTimeout=30000\n")
                .append("admin.enableServer=false\n")
                .append("4lw.commands.whitelist=srvr,ruok\n")
                .append("reconfigEnabled=false\n")
                .append("standaloneEnabled=false\n")
                .append("autopurge.purgeInterval=1\n")
                // a client must authenticate (digest) before its first operation, or its session is closed
                .append("enforce.auth.enabled=true\n")
                .append("enforce.auth.schemes=digest\n");
        for (String peer : Topology.STORE_MEMBERS) {
            cfg.append("server.").append(Topology.STORE_MEMBERS.indexOf(peer) + 1).append('=')
                    .append(Topology.storeAddress(peer)).append(':').append(Topology.STORE_QUORUM_PORT).append(':')
                    .append(Topology.STORE_ELECTION_PORT).append('\n');
        }
        return cfg.toString();
    }

    /** The server's command line (run inside the member's namespace, in a session of its own). */
    List<String> commandLine() {
        List<String> command = new ArrayList<>(List.of("setsid", "ip", "netns", "exec", namespace, "java",
                "-Xmx64m", "-Xms16m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:CICompilerCount=1", "-Dzookeeper.jmx.log4j.disable=true",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSZ",
                "-cp", String.join(":", CLASS_PATH), MAIN, config().toString()));
        return command;
    }

    /**
     * Starts the server, its pid in {@link #pidFile()} (journaled first when {@code journal} is given: a restart after
     * {@link #stop()} passes none). Returns at once; {@link #mode()} says when it serves.
     */
    public void start(StateJournal journal) {
        if (running()) {
            return;
        }
        if (journal != null) {
            journal.recordDaemon("zookeeper", pidFile());
        }
        try {
            // setsid and ip netns exec both exec: the process started is the JVM, and its pid the server's
            Process process = new ProcessBuilder(commandLine())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
                    .start();
            Files.writeString(pidFile(), process.pid() + "\n");
        } catch (IOException e) {
            throw new LabException("cannot start the store member " + member + ": " + e.getMessage(), e);
        }
    }

    public void stop() {
        Daemons.stop(pidFile(), Duration.ofSeconds(5));
    }

    public boolean running() {
        return Daemons.alivePid(pidFile()).isPresent();
    }

    /**
     * What the member says it is, by the {@code srvr} four-letter word: {@code leader}, {@code follower}, or empty
     * when it does not answer or serves no quorum (ZooKeeper then answers "not currently serving requests").
     */
    public Optional<String> mode(Netns caller) {
        String answer;
        try {
            answer = caller.call(() -> fourLetterWord(Topology.storeAddress(member), "srvr"));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        for (String line : answer.split("\n")) {
            if (line.startsWith("Mode: ")) {
                return Optional.of(line.substring("Mode: ".length()).strip());
            }
        }
        return Optional.empty();
    }

    private static String fourLetterWord(String address, String word) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, Topology.STORE_CLIENT_PORT), (int) PROBE_TIMEOUT.toMillis());
            socket.setSoTimeout((int) PROBE_TIMEOUT.toMillis());
            socket.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
