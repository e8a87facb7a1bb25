package io.cutover.agent.steps;

import io.cutover.agent.PeerAgents;
import io.cutover.api.CutoverStage;
import io.cutover.support.Durations;
import io.cutover.tunnel.DrainPolicy;

import java.util.Optional;

/**
 * The tunnel end of another host: its daemon's API listens on that host's loopback only, so its agent relays
 * ({@code /v1/tunnel/moves/...}).
 */
public final class PeerTunnelEnd implements TunnelEnd {
    private final PeerAgents peers;
    private final String host;

    public PeerTunnelEnd(PeerAgents peers, String host) {
        this.peers = peers;
        this.host = host;
    }

    @Override
    public String underlay() {
        return peers.tunnelUnderlay(host);
    }

    @Override
    public void register(TunnelMove move, String role, String peer) {
        peers.registerTunnelMove(host, move, role, peer);
    }

    @Override
    public void requireMove(String moveId) {
        peers.call(host, "GET", "/v1/tunnel/moves/" + moveId, 200);
    }

    @Override
    public void stage(String moveId, CutoverStage stage) {
        peers.call(host, "POST", "/v1/tunnel/moves/" + moveId + "/stage/" + stage.name().toLowerCase(java.util.Locale.ROOT), 200);
    }

    @Override
    public void drain(String moveId, DrainPolicy.DnsChange dns) {
        peers.drainTunnelMove(host, moveId, dns == null ? null : dns.fields());
    }

    @Override
    public Optional<DrainState> drainState(String moveId) {
        return peers.tunnelMove(host, moveId).map(move -> new DrainState(move.path("closed").asBoolean(),
                move.path("drainEndedBy").asText(null), Durations.parse(move.path("hardMax").asText())));
    }

    @Override
    public void remove(String moveId) {
        peers.call(host, "DELETE", "/v1/tunnel/moves/" + moveId, 204);
    }
}
