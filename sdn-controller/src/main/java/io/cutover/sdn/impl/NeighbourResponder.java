package io.cutover.sdn.impl;

import io.cutover.sdn.Cookie;
import io.cutover.sdn.Endpoint;
import io.cutover.support.IpLiteral;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.ArpOpcode;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.IPv6Address;
import org.projectfloodlight.openflow.types.IpProtocol;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U8;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Answers ARP requests and IPv6 neighbour solicitations for the endpoints' addresses from the model, as OVN's ARP
 * responder does, on every switch where the endpoint's network is (table 1, above the flood):
 * <ul>
 *   <li>an ARP request for an endpoint's IPv4 address becomes its reply in the switch itself and goes back out of the
 *       port it came in by (Nicira {@code move} actions swap the addresses, {@code set_field} writes the endpoint's);
 *       </li>
 *   <li>a neighbour solicitation for an endpoint's IPv6 address goes to the controller, which sends back the
 *       advertisement ({@link NeighbourAdvertisement}): Open vSwitch cannot turn the solicitation's source link-layer
 *       option into the advertisement's target option with OpenFlow 1.3 fields alone.</li>
 * </ul>
 * What the endpoint asks or announces about its own address (its gratuitous ARPs after a move, sent by the guest or by
 * an announcer on its behalf, its duplicate address detection) comes from its own MAC, or has the address as its
 * sender: a flow above the responder floods it in its network as before, so the neighbours still learn the move and no
 * one answers an endpoint's probe for itself.
 * Requests for addresses the model does not know are flooded within the network, as before. The flows do not depend
 * on where the endpoint is, so they carry its {@link Cookie#anyPlace} cookie: a move leaves them as they are.
 */
final class NeighbourResponder {
    /** Above the flood (50, 60), below unicast (100). */
    static final int PRIORITY_ANSWER = 80;
    /** The endpoint's own requests and announcements (from its MAC, or from its address), flooded: above the answer. */
    static final int PRIORITY_OWN = 85;
    /** The most of a solicitation the switch sends the controller (all of it). */
    static final int PACKET_IN_BYTES = 0xffff;
    private static final int ICMPV6_NEIGHBOUR_SOLICITATION = 135;
    private static final OFFactory OF = SwitchSession.OF;
    /** OXM headers (OpenFlow basic class) of the fields the ARP reply is made of, for Nicira's move action. */
    private static final long OXM_ETH_DST = 0x80000606L;
    private static final long OXM_ETH_SRC = 0x80000806L;
    private static final long OXM_ARP_SPA = 0x80002C04L;
    private static final long OXM_ARP_TPA = 0x80002E04L;
    private static final long OXM_ARP_SHA = 0x80003006L;
    private static final long OXM_ARP_THA = 0x80003206L;

    private NeighbourResponder() {
    }

    /**
     * Adds the responder's flows for one endpoint on a switch that floods its network with {@code flood} (the
     * network's flooding actions there).
     */
    static void flows(Endpoint e, List<OFAction> flood, Consumer<FlowSpec> flows) {
        long cookie = Cookie.anyPlace(e.network(), e.id());
        for (String text : e.addresses()) {
            Optional<InetAddress> address = hostAddress(text);
            if (address.isEmpty()) {
                continue;
            }
            boolean v4 = address.get() instanceof Inet4Address;
            List<OFAction> answer = v4 ? arpReply(e.mac(), (Inet4Address) address.get())
                    : List.of(OF.actions().output(OFPort.CONTROLLER, PACKET_IN_BYTES));
            flows.accept(FlowSpec.of(FlowPlanner.TABLE_FORWARD, PRIORITY_ANSWER,
                    asked(e.network(), address.get()).build(), cookie,
                    List.of(OF.instructions().applyActions(answer))));
            List<Match> fromOwner = new ArrayList<>();
            fromOwner.add(asked(e.network(), address.get()).setExact(MatchField.ETH_SRC, MacAddress.of(e.mac()))
                    .build());
            if (v4) {
                fromOwner.add(asked(e.network(), address.get())
                        .setExact(MatchField.ARP_SPA, IPv4Address.of((Inet4Address) address.get())).build());
            }
            for (Match own : fromOwner) {
                flows.accept(FlowSpec.of(FlowPlanner.TABLE_FORWARD, PRIORITY_OWN, own, cookie,
                        List.of(OF.instructions().applyActions(flood))));
            }
        }
    }

    /** A request for {@code address} in {@code network}: an ARP request, or a neighbour solicitation. */
    private static Match.Builder asked(int network, InetAddress address) {
        return address instanceof Inet4Address v4 ? arpRequest(network, v4)
                : solicitation(network, (Inet6Address) address);
    }

    /** The MAC of the endpoint of {@code network} that has {@code address}, as the responder answers for it. */
    static Optional<String> macFor(ModelState model, int network, InetAddress address) {
        return model.endpoints().values().stream().map(ModelState.Placed::endpoint)
                .filter(e -> e.network() == network && e.addresses().stream()
                        .anyMatch(text -> hostAddress(text).equals(Optional.of(address))))
                .map(Endpoint::mac).findFirst();
    }

    /** The host address {@code text} names ({@code 198.18.0.100} or {@code 198.18.0.100/24}), if it is one. */
    static Optional<InetAddress> hostAddress(String text) {
        String bare = text.contains("/") ? text.substring(0, text.indexOf('/')) : text;
        try {
            return Optional.of(IpLiteral.parse(bare));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Match.Builder arpRequest(int network, Inet4Address address) {
        return OF.buildMatch().setExact(MatchField.METADATA, FlowPlanner.metadata(network))
                .setExact(MatchField.ETH_TYPE, EthType.ARP).setExact(MatchField.ARP_OP, ArpOpcode.REQUEST)
                .setExact(MatchField.ARP_TPA, IPv4Address.of(address));
    }

    private static Match.Builder solicitation(int network, Inet6Address address) {
        return OF.buildMatch().setExact(MatchField.METADATA, FlowPlanner.metadata(network))
                .setExact(MatchField.ETH_TYPE, EthType.IPv6).setExact(MatchField.IP_PROTO, IpProtocol.IPv6_ICMP)
                .setExact(MatchField.ICMPV6_TYPE, U8.of((short) ICMPV6_NEIGHBOUR_SOLICITATION))
                .setExact(MatchField.IPV6_ND_TARGET, IPv6Address.of(address));
    }

    /** Turns an ARP request for {@code address} into {@code mac}'s reply, back out of the port it came in by. */
    private static List<OFAction> arpReply(String mac, Inet4Address address) {
        MacAddress own = MacAddress.of(mac);
        return List.of(move(OXM_ETH_SRC, OXM_ETH_DST, 48),
                OF.actions().setField(OF.oxms().ethSrc(own)),
                OF.actions().setField(OF.oxms().arpOp(ArpOpcode.REPLY)),
                move(OXM_ARP_SHA, OXM_ARP_THA, 48),
                OF.actions().setField(OF.oxms().arpSha(own)),
                move(OXM_ARP_SPA, OXM_ARP_TPA, 32),
                OF.actions().setField(OF.oxms().arpSpa(IPv4Address.of(address))),
                OF.actions().output(OFPort.IN_PORT, 0));
    }

    private static OFAction move(long from, long to, int bits) {
        return OF.actions().buildNiciraMove().setSrc(from).setDst(to).setNBits(bits).setSrcOfs(0).setDstOfs(0).build();
    }
}
