package io.cutover.sdn.impl;

import io.cutover.sdn.Dpid;
import io.cutover.sdn.Endpoint;
import io.cutover.sdn.Link;
import io.cutover.sdn.Move;
import io.cutover.sdn.MoveState;
import io.cutover.sdn.Network;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plan kept by parts is the whole plan: random sequences of the controller's changes (endpoints put and removed,
 * moves through their states, links, networks, ports), and after each one every switch's flows equal those of a plan
 * made from scratch, and a switch that took only the changed keys holds them all.
 */
class FlowPlanTest {
    private static final Dpid S1 = Dpid.of(0x11);
    private static final Dpid S2 = Dpid.of(0x12);
    private static final Dpid S3 = Dpid.of(0x13);
    private static final Dpid S4 = Dpid.of(0x14);
    /** A switch whose ports are never known. */
    private static final Dpid DARK = Dpid.of(0x99);
    private static final List<Dpid> SWITCHES = List.of(S1, S2, S3, S4, DARK);
    private static final List<String> PORTS = List.of("p1", "p2", "p3", "fwd", "s1-s2", "s2-s1", "s2-s3", "s3-s2",
            "t3-4", "t4-3", "t1-4", "t4-1");
    private static final List<List<Link>> LINKS = List.of(
            List.of(),
            List.of(new Link(S1, "s1-s2", S2, "s2-s1"), new Link(S2, "s2-s3", S3, "s3-s2")),
            List.of(new Link(S1, "s1-s2", S2, "s2-s1"), new Link(S2, "s2-s3", S3, "s3-s2"),
                    Link.overlay(S3, "t3-4", S4, "t4-3")),
            List.of(new Link(S1, "s1-s2", S2, "s2-s1"), Link.overlay(S1, "t1-4", S4, "t4-1"),
                    Link.overlay(S3, "t3-4", S4, "t4-3")));

    @Test
    void thePlanKeptByPartsEqualsTheWholePlanAfterEveryChange() {
        for (int seed = 0; seed < 40; seed++) {
            run(new Random(seed), seed);
        }
    }

    private static void run(Random random, int seed) {
        Map<Dpid, Map<String, Integer>> ports = new HashMap<>();
        for (Dpid sw : List.of(S1, S2, S3)) {
            ports.put(sw, randomPorts(random));
        }
        ModelState model = ModelState.empty().withLinks(LINKS.get(random.nextInt(LINKS.size())));
        FlowPlan plan = new FlowPlan(model, ports);
        Map<Dpid, Map<FlowKey, FlowSpec>> installed = new HashMap<>();
        for (Dpid sw : SWITCHES) {
            installed.put(sw, new HashMap<>(plan.flows(sw)));
        }
        for (int step = 0; step < 60; step++) {
            String what;
            int op = random.nextInt(12);
            if (op == 0) {
                Dpid sw = SWITCHES.get(random.nextInt(4));
                ports.put(sw, randomPorts(random));
                plan.ports(sw, ports.get(sw));
                what = "ports of " + sw;
            } else {
                ModelState next = change(model, random, op);
                what = describe(model, next);
                model = next;
                plan.update(model);
            }
            FlowPlan whole = new FlowPlan(model, ports);
            for (Dpid sw : SWITCHES) {
                String where = "seed " + seed + ", step " + step + " (" + what + "), switch " + sw;
                assertThat(text(plan.flows(sw))).as(where).isEqualTo(text(whole.flows(sw)));
                Map<FlowKey, FlowSpec> held = installed.get(sw);
                for (FlowKey key : plan.takeChanged(sw)) {
                    FlowSpec spec = plan.flows(sw).get(key);
                    if (spec == null) {
                        held.remove(key);
                    } else {
                        held.put(key, spec);
                    }
                }
                assertThat(text(held)).as(where + ", the changed keys taken").isEqualTo(text(whole.flows(sw)));
            }
        }
    }

    private static ModelState change(ModelState model, Random random, int op) {
        List<ModelState.Placed> all = List.copyOf(model.endpoints().values());
        ModelState.Placed some = all.isEmpty() ? null : all.get(random.nextInt(all.size()));
        List<Move> open = model.moves().values().stream().filter(Move::open).toList();
        Move move = open.isEmpty() ? null : open.get(random.nextInt(open.size()));
        switch (op) {
            case 1, 2, 3 -> {
                List<ModelState.Placed> batch = new ArrayList<>();
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    int n = random.nextInt(10);
                    if (model.openMove("e" + n).isEmpty()) {
                        ModelState.Placed old = model.endpoints().get("e" + n);
                        batch.add(new ModelState.Placed(randomEndpoint(random, n), old == null ? 0 : old.generation()));
                    }
                }
                return model.withEndpoints(batch);
            }
            case 4 -> {
                return some == null || model.openMove(some.endpoint().name()).isPresent() ? model
                        : model.withoutEndpoint(some.endpoint().name());
            }
            case 5, 6 -> {
                if (some == null || model.openMove(some.endpoint().name()).isPresent()) {
                    return model;
                }
                Endpoint e = some.endpoint();
                int id = model.nextMoveId();
                return model.withMove(new Move(id, e.name(), e.switchId(), e.port(), some.generation(),
                        SWITCHES.get(random.nextInt(SWITCHES.size())), "p" + (1 + random.nextInt(3)),
                        random.nextBoolean() ? "fwd" : null, MoveState.PREPARED));
            }
            case 7 -> {
                return move == null || move.state() == MoveState.COMMITTED ? model
                        : model.withMove(move.redirectedTo("fwd"));
            }
            case 8 -> {
                return move == null || move.state() == MoveState.COMMITTED ? model
                        : CommitRecovery.committed(model, move);
            }
            case 9 -> {
                if (move == null) {
                    return model;
                }
                if (move.state() == MoveState.COMMITTED && random.nextBoolean()) {
                    return model.withMove(move.with(MoveState.CLEANED));
                }
                ModelState back = model;
                if (move.state() == MoveState.COMMITTED) {
                    Endpoint e = model.endpoints().get(move.endpoint()).endpoint();
                    back = back.withEndpoint(new ModelState.Placed(e.at(move.fromSwitch(), move.fromPort()),
                            move.fromGeneration()));
                }
                return back.withMove(move.with(MoveState.ROLLED_BACK));
            }
            case 10 -> {
                return model.withLinks(LINKS.get(random.nextInt(LINKS.size())));
            }
            default -> {
                int network = 1 + random.nextInt(3);
                return random.nextBoolean() ? model.withoutNetwork(network)
                        : model.withNetwork(new Network(network, 100 + random.nextInt(4), "n" + network));
            }
        }
    }

    private static Endpoint randomEndpoint(Random random, int n) {
        List<String> addresses = switch (random.nextInt(4)) {
            case 0 -> List.of();
            case 1 -> List.of("198.18.0." + (1 + random.nextInt(3)));
            case 2 -> List.of("198.18.0." + (1 + random.nextInt(3)) + "/24", "2001:db8::" + (1 + random.nextInt(3)));
            default -> List.of("2001:db8::" + (1 + random.nextInt(3)));
        };
        return new Endpoint(n + 1, "e" + n, 1 + random.nextInt(3), "02:00:00:00:00:0" + random.nextInt(4), addresses,
                SWITCHES.get(random.nextInt(SWITCHES.size())), "p" + (1 + random.nextInt(3)));
    }

    private static Map<String, Integer> randomPorts(Random random) {
        Map<String, Integer> numbers = new HashMap<>();
        for (String port : PORTS) {
            if (random.nextInt(5) > 0) {
                numbers.put(port, 1 + random.nextInt(20));
            }
        }
        return numbers;
    }

    private static String describe(ModelState before, ModelState after) {
        return after.endpoints().size() + " endpoints, moves " + after.moves().values().stream()
                .map(m -> m.id() + ":" + m.endpoint() + ":" + m.state()).toList() + (before.links().equals(after.links())
                ? "" : ", links changed");
    }

    /** Each flow as text (key, cookie, actions), by key. */
    private static Map<FlowKey, String> text(Map<FlowKey, FlowSpec> flows) {
        Map<FlowKey, String> text = new TreeMap<>(java.util.Comparator.comparing(FlowKey::toString));
        flows.forEach((key, spec) -> text.put(key, Long.toHexString(spec.cookie()) + " " + spec.actions()));
        return text;
    }
}
