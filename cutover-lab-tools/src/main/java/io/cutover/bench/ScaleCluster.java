package io.cutover.bench;

import io.cutover.lab.Lab;
import io.cutover.lab.Topology;
import io.cutover.lab.ZooKeeperEnsemble;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench scale --cluster}'s controllers: a lab with its replicated store ({@code lab up --store}) and three
 * {@code sdn serve --store} processes in the root namespace, listening on 127.0.0.1 and reaching the store through the
 * lab's fabric namespace ({@code --store-netns}), on a store root of their own. Closing it stops the controllers and
 * removes the lab.
 */
final class ScaleCluster implements AutoCloseable {
    static final int MEMBERS = 3;

    private final Lab lab;
    private final List<Member> members = new ArrayList<>();

    /** One controller process: its OpenFlow port, its REST port, its log. */
    record Member(Process process, int openflowPort, int restPort, Path log) {
        URI rest() {
            return URI.create("http://127.0.0.1:" + restPort + "/v1/");
        }

        InetSocketAddress openflow() {
            return new InetSocketAddress("127.0.0.1", openflowPort);
        }
    }

    private ScaleCluster(Lab lab) {
        this.lab = lab;
    }

    /** Brings up the lab and its store, then starts the three controllers (they elect a master in the background). */
    static ScaleCluster start(Path logDir, List<String> controllerArgs) throws IOException {
        Lab lab = Lab.up(null, Topology.LAN).removeAtExit();
        ScaleCluster cluster = new ScaleCluster(lab);
        try {
            ZooKeeperEnsemble store = lab.startStore();
            String root = "bench-scale-" + UUID.randomUUID().toString().substring(0, 8);
            for (int i = 1; i <= MEMBERS; i++) {
                int openflow = ScaleBench.freePort();
                int rest = ScaleBench.freePort();
                Path log = logDir.resolve("scale-controller-" + i + ".log").toAbsolutePath();
                List<String> args = new ArrayList<>(controllerArgs);
                args.addAll(List.of("--listen", "127.0.0.1:" + openflow, "--rest", "127.0.0.1:" + rest,
                        "--store", store.connectString(), "--store-auth", store.credentialFile().toString(),
                        "--store-netns", lab.namespace(Topology.FABRIC), "--store-root", root));
                cluster.members.add(new Member(ScaleBench.startProcess(args, log), openflow, rest, log));
            }
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    List<Member> members() {
        return List.copyOf(members);
    }

    /** The member that takes changes (an empty POST /v1/endpoints answers 201), waiting for one until the deadline. */
    Member awaitMaster(long deadline) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        while (true) {
            for (Member m : members) {
                if (!m.process().isAlive()) {
                    continue;
                }
                try {
                    HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(m.rest().resolve("endpoints"))
                            .timeout(Duration.ofSeconds(5)).header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("[]")).build(), HttpResponse.BodyHandlers.discarding());
                    if (answer.statusCode() == 201) {
                        return m;
                    }
                } catch (IOException e) {
                    // not up yet, or gone: the next
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the cluster's master", e);
                }
            }
            ScaleBench.pause(deadline, 200);
        }
    }

    /** Kills {@code member} with SIGKILL, as a crash. */
    void kill(Member member) throws InterruptedException {
        member.process().destroyForcibly();
        member.process().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        for (Member m : members) {
            m.process().destroy();
        }
        for (Member m : members) {
            try {
                if (!m.process().waitFor(10, TimeUnit.SECONDS)) {
                    m.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                m.process().destroyForcibly();
            }
        }
        lab.close();
    }
}
