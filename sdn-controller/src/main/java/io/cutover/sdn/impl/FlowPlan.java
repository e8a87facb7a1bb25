package io.cutover.sdn.impl;

import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Move;
import io.cutover.sdn.impl.SwitchFlows.Owner;
import org.projectfloodlight.openflow.protocol.action.OFAction;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Every known switch's flows, kept up to date by parts as the model changes: a change plans again only what it
 * touches, with {@link FlowPlanner}'s rules, the same that plan a switch whole. An endpoint's change replans its own
 * flows (its switch's, and the unicast towards it on the switches whose way to it is not their default) and its open
 * move's, its responder's flows on every switch unless only its place changed, the fabric's flows (admission, floods)
 * of the switches it leaves and joins, and there the responder's flows of its network's endpoints when the flood
 * changed. A
 * change of the links, of the networks that have endpoints or of their VNIs (which the fabric graph and every switch's
 * admission and floods read) replans every switch; a change of a switch's ports replans that switch.
 * <p>
 * Each change returns the switches whose flows changed, and remembers per switch the keys that changed since the
 * switch's changes were last taken ({@link #takeChanged}): convergence diffs those, not the whole table. Not thread
 * safe: the controller's core thread owns it.
 */
final class FlowPlan {
    private ModelState model;
    private final Map<Dpid, Map<String, Integer>> ports = new HashMap<>();
    private final Map<Dpid, SwitchFlows> switches = new HashMap<>();
    /** Each switch's flooding actions per network, as its fabric flows last planned them. */
    private final Map<Dpid, Map<Integer, List<OFAction>>> flooding = new HashMap<>();
    /** The endpoints on each switch, by name. */
    private final Map<Dpid, Map<String, Endpoint>> here = new HashMap<>();
    /** How many endpoints each network has (the networks in use, the lowest is the cable network). */
    private final TreeMap<Integer, Integer> members = new TreeMap<>();
    /** The endpoints the responder answers for (those with addresses), by network and name. */
    private final Map<Integer, Map<String, ModelState.Placed>> answered = new HashMap<>();
    /** The endpoints of each MAC, by name (a move's check that its MAC stays unique in a segment reads them). */
    private final Map<String, Map<String, Endpoint>> byMac = new HashMap<>();
    private final Map<Dpid, Set<FlowKey>> changed = new HashMap<>();
    private FabricGraph fabric;

    /** The plan of {@code model} on the switches of {@code ports} (each switch's port names to numbers). */
    FlowPlan(ModelState model, Map<Dpid, Map<String, Integer>> ports) {
        this.model = model;
        ports.forEach((sw, numbers) -> {
            this.ports.put(sw, Map.copyOf(numbers));
            switches.put(sw, new SwitchFlows());
        });
        rebuildAll(new Edit());
        changed.clear();
    }

    ModelState model() {
        return model;
    }

    /** The flows planned for {@code sw} (none for a switch whose ports are unknown); a live view. */
    Map<FlowKey, FlowSpec> flows(Dpid sw) {
        SwitchFlows flows = switches.get(sw);
        return flows == null ? Map.of() : flows.flows();
    }

    /** The model's endpoints that have {@code mac}. */
    Collection<Endpoint> withMac(String mac) {
        return List.copyOf(byMac.getOrDefault(mac, Map.of()).values());
    }

    /** The switches with changed keys not taken yet. */
    Set<Dpid> pending() {
        return Set.copyOf(changed.keySet());
    }

    /** The keys of {@code sw} whose flows changed since they were last taken; forgotten now. */
    Set<FlowKey> takeChanged(Dpid sw) {
        Set<FlowKey> keys = changed.remove(sw);
        return keys == null ? Set.of() : keys;
    }

    /** Plans {@code after}; returns the switches whose flows changed. */
    Set<Dpid> update(ModelState after) {
        return update(after, changedEndpoints(model, after));
    }

    /**
     * Plans {@code after}, whose endpoints differ from the plan's model in {@code names} alone (the caller knows: a
     * commit moves one endpoint, and comparing all 50,000 to find it took longer than planning it); returns the
     * switches whose flows changed.
     */
    Set<Dpid> update(ModelState after, List<String> names) {
        ModelState before = model;
        if (after == before) {
            return Set.of();
        }
        Edit edit = new Edit();
        if (changesEverySwitch(before, after, names)) {
            model = after;
            rebuildAll(edit);
            return edit.finish();
        }
        Set<String> namesSet = new HashSet<>(names);
        // an endpoint that only moved keeps its responder's flows (they do not depend on its place) except where the
        // flood they use changes; its unicast is planned on the switches that hold it before and after
        Set<String> moved = new HashSet<>();
        for (String name : names) {
            ModelState.Placed was = before.endpoints().get(name);
            ModelState.Placed is = after.endpoints().get(name);
            if (was != null && is != null && was.endpoint().at(is.endpoint().switchId(), is.endpoint().port())
                    .equals(is.endpoint())) {
                moved.add(name);
            }
        }
        Set<Integer> moveIds = new TreeSet<>();
        for (Map<Integer, Move> moves : List.of(before.moves(), after.moves())) {
            for (Move move : moves.values()) {
                if (!Objects.equals(before.moves().get(move.id()), after.moves().get(move.id()))
                        || move.open() && namesSet.contains(move.endpoint())) {
                    moveIds.add(move.id());
                }
            }
        }
        Set<Dpid> fabricChanged = new TreeSet<>();
        for (String name : names) {
            for (ModelState.Placed placed : placedIn(name, before, after)) {
                if (switches.containsKey(placed.endpoint().switchId())) {
                    fabricChanged.add(placed.endpoint().switchId());
                }
            }
        }
        FlowPlanner.Inputs was = inputs(before);
        for (String name : names) {
            ModelState.Placed placed = before.endpoints().get(name);
            if (placed != null) {
                planEndpoint(was, placed, !moved.contains(name), edit::removing);
            }
        }
        for (int id : moveIds) {
            Move move = before.moves().get(id);
            if (move != null) {
                planMove(was, move, edit::removing);
            }
        }
        for (Dpid sw : fabricChanged) {
            FlowPlanner.fabricFlows(was, sw, ports.get(sw), here(sw), edit.removing(sw, Owner.FABRIC));
        }
        for (String name : names) {
            unindex(before.endpoints().get(name));
            index(after.endpoints().get(name));
        }
        model = after;
        FlowPlanner.Inputs is = inputs(after);
        for (Dpid sw : fabricChanged) {
            Map<Integer, List<OFAction>> floods = FlowPlanner.fabricFlows(is, sw, ports.get(sw), here(sw),
                    edit.adding(sw, Owner.FABRIC));
            Map<Integer, List<OFAction>> old = flooding.put(sw, floods);
            Set<Integer> networks = new TreeSet<>(old.keySet());
            networks.addAll(floods.keySet());
            for (int network : networks) {
                if (Objects.equals(old.get(network), floods.get(network))) {
                    continue;
                }
                for (ModelState.Placed placed : answered.getOrDefault(network, Map.of()).values()) {
                    if (namesSet.contains(placed.endpoint().name()) && !moved.contains(placed.endpoint().name())) {
                        continue;
                    }
                    Owner owner = new Owner(Owner.Kind.RESPONDER, placed.endpoint().id());
                    if (old.get(network) != null) {
                        NeighbourResponder.flows(placed.endpoint(), old.get(network), edit.removing(sw, owner));
                    }
                    if (floods.get(network) != null) {
                        NeighbourResponder.flows(placed.endpoint(), floods.get(network), edit.adding(sw, owner));
                    }
                }
            }
        }
        for (String name : names) {
            ModelState.Placed placed = after.endpoints().get(name);
            if (placed != null) {
                planEndpoint(is, placed, !moved.contains(name), edit::adding);
            }
        }
        for (int id : moveIds) {
            Move move = after.moves().get(id);
            if (move != null) {
                planMove(is, move, edit::adding);
            }
        }
        return edit.finish();
    }

    /** Takes {@code numbers} as {@code sw}'s ports (a switch seen for the first time too); returns whether its flows changed. */
    boolean ports(Dpid sw, Map<String, Integer> numbers) {
        if (numbers.equals(ports.get(sw))) {
            return false;
        }
        ports.put(sw, Map.copyOf(numbers));
        switches.computeIfAbsent(sw, k -> new SwitchFlows());
        Edit edit = new Edit();
        rebuildSwitch(sw, inputs(model), edit);
        return !edit.finish().isEmpty();
    }

    // ---- planning by parts --------------------------------------------------------------------------------------

    /** Where a part's flows go: added to, or taken from, a switch's flows for an owner. */
    private interface Target {
        Consumer<FlowSpec> on(Dpid sw, Owner owner);
    }

    /** An endpoint's flows on the switches that may hold them, and its responder's on every switch if asked. */
    private void planEndpoint(FlowPlanner.Inputs in, ModelState.Placed placed, boolean responder, Target target) {
        for (Dpid sw : FlowPlanner.endpointSwitches(in, placed.endpoint())) {
            if (switches.containsKey(sw)) {
                planUnicast(in, placed, sw, target);
            }
        }
        if (responder) {
            switches.keySet().forEach(sw -> planResponder(placed.endpoint(), sw, target));
        }
    }

    private void planEndpoint(FlowPlanner.Inputs in, ModelState.Placed placed, Dpid sw, Target target) {
        planUnicast(in, placed, sw, target);
        planResponder(placed.endpoint(), sw, target);
    }

    private void planUnicast(FlowPlanner.Inputs in, ModelState.Placed placed, Dpid sw, Target target) {
        FlowPlanner.endpointFlows(in, placed, sw, ports.get(sw),
                target.on(sw, new Owner(Owner.Kind.ENDPOINT, placed.endpoint().id())));
    }

    private void planResponder(Endpoint e, Dpid sw, Target target) {
        List<OFAction> flood = flooding.getOrDefault(sw, Map.of()).get(e.network());
        if (flood != null && !e.addresses().isEmpty()) {
            NeighbourResponder.flows(e, flood, target.on(sw, new Owner(Owner.Kind.RESPONDER, e.id())));
        }
    }

    /** A move's flows on the switches it may have any on. */
    private void planMove(FlowPlanner.Inputs in, Move move, Target target) {
        for (Dpid sw : FlowPlanner.moveSwitches(in, move, switches.keySet())) {
            if (switches.containsKey(sw)) {
                planMove(in, move, sw, target);
            }
        }
    }

    private void planMove(FlowPlanner.Inputs in, Move move, Dpid sw, Target target) {
        FlowPlanner.moveFlows(in, move, sw, ports.get(sw), target.on(sw, new Owner(Owner.Kind.MOVE, move.id())),
                target.on(sw, new Owner(Owner.Kind.KEPT, move.id())));
    }

    private void rebuildAll(Edit edit) {
        here.clear();
        members.clear();
        answered.clear();
        byMac.clear();
        model.endpoints().values().forEach(this::index);
        // the cable network: the lowest network id among the endpoints (1 when there are none). Frames leave a cable's
        // port untagged, so a cable can carry one network and stay isolated; the others cross tunnels, tagged
        fabric = new FabricGraph(model.links(), members.isEmpty() ? 1 : members.firstKey());
        FlowPlanner.Inputs in = inputs(model);
        for (Dpid sw : switches.keySet()) {
            rebuildSwitch(sw, in, edit);
        }
    }

    /** Plans {@code sw} whole: the fabric's flows, every endpoint's, every move's. */
    private void rebuildSwitch(Dpid sw, FlowPlanner.Inputs in, Edit edit) {
        for (FlowKey key : List.copyOf(switches.get(sw).keys())) {
            edit.touch(sw, key);
        }
        switches.get(sw).clear();
        flooding.put(sw, FlowPlanner.fabricFlows(in, sw, ports.get(sw), here(sw), edit.adding(sw, Owner.FABRIC)));
        for (ModelState.Placed placed : model.endpoints().values()) {
            planEndpoint(in, placed, sw, edit::adding);
        }
        for (Move move : model.moves().values()) {
            planMove(in, move, sw, edit::adding);
        }
    }

    private FlowPlanner.Inputs inputs(ModelState state) {
        return new FlowPlanner.Inputs(state, fabric, members.keySet());
    }

    private List<Endpoint> here(Dpid sw) {
        return List.copyOf(here.getOrDefault(sw, Map.of()).values());
    }

    private void index(ModelState.Placed placed) {
        if (placed == null) {
            return;
        }
        Endpoint e = placed.endpoint();
        here.computeIfAbsent(e.switchId(), k -> new HashMap<>()).put(e.name(), e);
        byMac.computeIfAbsent(e.mac(), k -> new HashMap<>()).put(e.name(), e);
        members.merge(e.network(), 1, Integer::sum);
        if (!e.addresses().isEmpty()) {
            answered.computeIfAbsent(e.network(), k -> new HashMap<>()).put(e.name(), placed);
        }
    }

    private void unindex(ModelState.Placed placed) {
        if (placed == null) {
            return;
        }
        Endpoint e = placed.endpoint();
        Map<String, Endpoint> on = here.get(e.switchId());
        if (on != null && on.remove(e.name()) != null && on.isEmpty()) {
            here.remove(e.switchId());
        }
        Map<String, Endpoint> sameMac = byMac.get(e.mac());
        if (sameMac != null && sameMac.remove(e.name()) != null && sameMac.isEmpty()) {
            byMac.remove(e.mac());
        }
        members.computeIfPresent(e.network(), (n, count) -> count == 1 ? null : count - 1);
        Map<String, ModelState.Placed> byName = answered.get(e.network());
        if (byName != null && byName.remove(e.name()) != null && byName.isEmpty()) {
            answered.remove(e.network());
        }
    }

    /**
     * Whether the change from {@code before} to {@code after} (whose endpoints {@code names} differ) reaches every
     * switch: other links, other networks in use, another VNI for one of them.
     */
    private boolean changesEverySwitch(ModelState before, ModelState after, List<String> names) {
        if (before.links() != after.links() && !before.links().equals(after.links())) {
            return true;
        }
        Map<Integer, Integer> counts = new HashMap<>(members);
        for (String name : names) {
            ModelState.Placed was = before.endpoints().get(name);
            ModelState.Placed is = after.endpoints().get(name);
            if (was != null) {
                counts.merge(was.endpoint().network(), -1, Integer::sum);
            }
            if (is != null) {
                counts.merge(is.endpoint().network(), 1, Integer::sum);
            }
        }
        counts.values().removeIf(count -> count == 0);
        if (!counts.keySet().equals(members.keySet())) {
            return true;
        }
        return before.networks() != after.networks()
                && members.keySet().stream().anyMatch(network -> before.vni(network) != after.vni(network));
    }

    /** The names of the endpoints added, removed or changed. */
    private static List<String> changedEndpoints(ModelState before, ModelState after) {
        if (before.endpoints() == after.endpoints()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        Set<String> touched = before.endpoints() instanceof EndpointMap earlier
                && after.endpoints() instanceof EndpointMap later ? later.changedSince(earlier) : null;
        if (touched != null) {
            // the map remembers what changed since: compare those only (a slave following the store's saves)
            for (String name : touched) {
                if (!Objects.equals(before.endpoints().get(name), after.endpoints().get(name))) {
                    names.add(name);
                }
            }
            return names;
        }
        after.endpoints().forEach((name, placed) -> {
            if (!Objects.equals(before.endpoints().get(name), placed)) {
                names.add(name);
            }
        });
        before.endpoints().keySet().stream().filter(name -> !after.endpoints().containsKey(name)).forEach(names::add);
        return names;
    }

    private static List<ModelState.Placed> placedIn(String name, ModelState before, ModelState after) {
        List<ModelState.Placed> both = new ArrayList<>(2);
        for (ModelState state : List.of(before, after)) {
            ModelState.Placed placed = state.endpoints().get(name);
            if (placed != null) {
                both.add(placed);
            }
        }
        return both;
    }

    /** One change of the plan: each touched key's flow before it, to tell what really changed. */
    private final class Edit {
        private final Map<Dpid, Map<FlowKey, FlowSpec>> before = new HashMap<>();

        void touch(Dpid sw, FlowKey key) {
            Map<FlowKey, FlowSpec> seen = before.computeIfAbsent(sw, k -> new HashMap<>());
            if (!seen.containsKey(key)) {
                seen.put(key, switches.get(sw).get(key));
            }
        }

        Consumer<FlowSpec> adding(Dpid sw, Owner owner) {
            SwitchFlows flows = switches.get(sw);
            return spec -> {
                touch(sw, spec.key());
                flows.add(owner, spec);
            };
        }

        Consumer<FlowSpec> removing(Dpid sw, Owner owner) {
            SwitchFlows flows = switches.get(sw);
            return spec -> {
                touch(sw, spec.key());
                flows.remove(owner, spec.key());
            };
        }

        /** Records the keys whose flows changed; returns their switches. */
        Set<Dpid> finish() {
            Set<Dpid> switchesChanged = new TreeSet<>();
            before.forEach((sw, seen) -> seen.forEach((key, was) -> {
                FlowSpec is = switches.get(sw).get(key);
                if (was == null ? is != null : !was.sameAs(is)) {
                    changed.computeIfAbsent(sw, k -> new HashSet<>()).add(key);
                    switchesChanged.add(sw);
                }
            }));
            return switchesChanged;
        }
    }
}
