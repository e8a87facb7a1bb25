package io.cutover.it.agent;

import io.cutover.lab.Lab;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What a cutover test compares before and after: the lab's switches' flows and the controller's moves. */
final class LabNetworkState {
    private LabNetworkState() {
    }

    /** The flows of every bridge, without their counters, sorted. */
    static Map<String, List<String>> flows(Lab lab) {
        Map<String, List<String>> flows = new TreeMap<>();
        for (String bridge : lab.topology().bridges()) {
            String dump = lab.ofctl("-O", "OpenFlow13", "dump-flows", "--no-stats", bridge).orThrow().stdout();
            flows.put(bridge, Arrays.stream(dump.split("\n")).map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("OFPST_FLOW")).sorted().toList());
        }
        return flows;
    }

    /** The controller's moves as its REST API ({@code sdn}, ending in {@code /v1}) lists them. */
    static String moves(String sdn) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(sdn + "/moves")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
