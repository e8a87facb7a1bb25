package io.cutover.tunnel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cutover.api.CutoverStage;
import io.cutover.support.LogLevel;
import io.cutover.tunnel.impl.MoveJson;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The daemon's configuration, from YAML:
 * <pre>
 * listen: 0.0.0.0:4789        # the tunnel's UDP address
 * api: 127.0.0.1:7946         # the local REST API (loopback only)
 * tokenFile: /etc/cutover/tunnel.token   # required: the API's bearer token, on every call but the OpenAPI document
 * # insecureNoToken: true    # instead of tokenFile: any local process may drive the daemon (tests; warned at start)
 * keyDir: /etc/cutover/tunnel-keys       # the only place the API's moves may name a keyFile (else keys by value)
 * stateDir: /var/lib/cutover/tunnel   # the journal; omit for none
 * pathMtu: 1500
 * flushRate: 50000            # frames a second a move's held frames go out at at activation; 0: all at once
 * logLevel: debug             # optional: trace, debug, info, warn or error; over CUTOVER_LOG_LEVEL
 * moves:                      # optional: moves to set up at start (a journaled move of the same id wins)
 *   - {id: m1, vni: 100, role: source, vmMac: ..., vmAddresses: [...], peer: 198.19.0.2:4789, iface: eth0,
 *      keyFile: /etc/cutover/m1.key, stage: ACTIVATED}
 *   - {id: m2, ..., insecurePlain: true}   # no key: plain VXLAN, only when asked for (a kernel VXLAN peer)
 * </pre>
 *
 * @param listen   the tunnel's UDP address
 * @param api      the REST API's TCP address
 * @param stateDir the journal's directory, or {@code null}
 * @param token    the bearer token every API call must carry (at least {@value io.cutover.support.BearerToken#MIN_LENGTH} characters), or
 *                 {@code null} only with {@code insecureNoToken}
 * @param keyDir   the directory whose files a move added through the API may name as its {@code keyFile}, or
 *                 {@code null}: such moves give their key by value ({@code key})
 * @param pathMtu  the underlay MTU
 * @param flushRate how fast held frames go out at activation, in frames a second, or 0 for all at once
 * @param moves    moves to add at start, each with the stage to bring it to ({@code null}: PLANNED)
 * @param logLevel how much the daemon logs, or {@code null}: as the launcher says ({@code CUTOVER_LOG_LEVEL})
 * @param insecureNoToken the operator's explicit choice of an API without a token, which lets any local process
 *                 capture any MAC on any interface and send it anywhere: a daemon without a token refuses to start
 *                 unless asked for this, so that a forgotten {@code tokenFile} is not an open API
 */
public record DaemonConfig(InetSocketAddress listen, InetSocketAddress api, Path stateDir, String token, Path keyDir,
                           int pathMtu, int flushRate, List<InitialMove> moves, LogLevel logLevel,
                           boolean insecureNoToken) {
    public static final String DEFAULT_API = "127.0.0.1:7946";
    private static final Set<String> KEYS = Set.of("listen", "api", "stateDir", "tokenFile", "keyDir", "pathMtu",
            "flushRate", "moves", "logLevel", "insecureNoToken");

    /** A move of the config file and the stage it starts in. */
    public record InitialMove(MoveSpec spec, CutoverStage stage) {
    }

    public DaemonConfig {
        moves = List.copyOf(moves);
        if (!api.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("api must be a loopback address, was " + api);
        }
        if (token == null && !insecureNoToken) {
            throw new IllegalArgumentException("tokenFile is required (the API's bearer token, at least "
                    + io.cutover.support.BearerToken.MIN_LENGTH + " characters); only 'insecureNoToken: true' "
                    + "lets the daemon run without one, open to every local process");
        }
        if (token != null && insecureNoToken) {
            throw new IllegalArgumentException("tokenFile and insecureNoToken: true exclude each other");
        }
        if (token != null && token.length() < io.cutover.support.BearerToken.MIN_LENGTH) {
            throw new IllegalArgumentException("the API's bearer token must have at least " + io.cutover.support.BearerToken.MIN_LENGTH
                    + " characters");
        }
    }

    /** Leaves the token out. */
    @Override
    public String toString() {
        return "DaemonConfig[listen=" + listen + ", api=" + api + ", stateDir=" + stateDir + ", token="
                + (token == null ? "none (insecureNoToken)" : "(set)") + ", keyDir=" + keyDir + ", pathMtu=" + pathMtu + ", flushRate=" + flushRate + ", moves=" + moves.size() + "]";
    }

    /**
     * Reads and validates {@code file}.
     *
     * @throws IllegalArgumentException naming the file, the key and the problem
     */
    public static DaemonConfig load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        return parse(root, file.toString());
    }

    /** Validates a parsed config; {@code where} names it in errors. */
    public static DaemonConfig parse(JsonNode root, String where) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = MoveJson.MAPPER.createObjectNode();
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException(where + ": must be a mapping of keys");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(where + ": unknown key '" + key + "' (known: " + KEYS + ")");
            }
        }
        InetSocketAddress listen = MoveJson.socketAddress(root.path("listen").asText("0.0.0.0:" + ForwarderOptions.DEFAULT_PORT), where + ": listen");
        InetSocketAddress api = MoveJson.socketAddress(root.path("api").asText(DEFAULT_API), where + ": api");
        Path stateDir = root.hasNonNull("stateDir") ? Path.of(root.get("stateDir").asText()) : null;
        String token = root.hasNonNull("tokenFile") ? readToken(root.get("tokenFile").asText(), where) : null;
        Path keyDir = root.hasNonNull("keyDir") ? Path.of(root.get("keyDir").asText()) : null;
        if (keyDir != null && !Files.isDirectory(keyDir)) {
            throw new IllegalArgumentException(where + ": keyDir: " + keyDir + " is not a directory");
        }
        JsonNode mtu = root.path("pathMtu");
        if (!mtu.isMissingNode() && !mtu.canConvertToInt()) {
            throw new IllegalArgumentException(where + ": pathMtu must be an integer");
        }
        int pathMtu = mtu.asInt(ForwarderOptions.DEFAULT_PATH_MTU);
        if (pathMtu < 576 || pathMtu > 65_535) {
            throw new IllegalArgumentException(where + ": pathMtu must be 576..65535, was " + pathMtu);
        }
        JsonNode rate = root.path("flushRate");
        if (!rate.isMissingNode() && !rate.canConvertToInt()) {
            throw new IllegalArgumentException(where + ": flushRate must be an integer (frames a second)");
        }
        int flushRate;
        try {
            flushRate = ForwarderOptions.requireFlushRate(rate.asInt(ForwarderOptions.DEFAULT_FLUSH_RATE));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        List<InitialMove> moves = new ArrayList<>();
        JsonNode list = root.path("moves");
        if (!list.isMissingNode() && !list.isArray()) {
            throw new IllegalArgumentException(where + ": moves must be a list");
        }
        int i = 0;
        for (JsonNode node : list) {
            String at = where + ": moves[" + i++ + "]";
            MoveSpec spec = MoveJson.read(node, at);
            CutoverStage stage = node.hasNonNull("stage")
                    ? MoveJson.parseEnum(CutoverStage.class, node.get("stage").asText(), at + ": stage") : null;
            moves.add(new InitialMove(spec, stage));
        }
        LogLevel logLevel;
        try {
            logLevel = root.hasNonNull("logLevel") ? LogLevel.parse(root.get("logLevel").asText()) : null;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": logLevel: " + e.getMessage(), e);
        }
        JsonNode noToken = root.path("insecureNoToken");
        if (!noToken.isMissingNode() && !noToken.isBoolean()) {
            throw new IllegalArgumentException(where + ": insecureNoToken must be true or false");
        }
        try {
            return new DaemonConfig(listen, api, stateDir, token, keyDir, pathMtu, flushRate, moves, logLevel,
                    noToken.asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static String readToken(String file, String where) {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": tokenFile: cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
