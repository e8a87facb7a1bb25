package io.cutover.support.fuzz;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Breaks valid JSON request bodies as a careless or hostile client would, half the time in their structure (a
 * value replaced by null, the wrong type, an edge number, a long or odd string, a deep nesting; a field removed,
 * an unknown one added; the whole body null, an array or a scalar) and half the time in their bytes
 * ({@link Mutator}), so that both the JSON parser and the validation behind it are reached.
 */
public final class JsonMutator implements Fuzzer.Mutations {
    /** Writes nestings deeper than a server reads (Jackson's default refuses to write them). */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(10_000).build()).build());
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private final SplittableRandom random;
    private final Mutator bytes;

    public JsonMutator(SplittableRandom random) {
        this.random = random;
        this.bytes = new Mutator(random);
    }

    @Override
    public byte[] mutate(byte[] valid, List<byte[]> others) {
        if (random.nextBoolean()) {
            return bytes.mutate(valid, others);
        }
        JsonNode root;
        try {
            root = JSON.readTree(valid);
        } catch (IOException e) {
            return bytes.mutate(valid, others);
        }
        int rounds = 1 + random.nextInt(3);
        for (int i = 0; i < rounds; i++) {
            root = mutateOnce(root);
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode mutateOnce(JsonNode root) {
        if (random.nextInt(20) == 0) {
            return oddValue();
        }
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        if (containers.isEmpty()) {
            return oddValue();
        }
        JsonNode target = containers.get(random.nextInt(containers.size()));
        if (target instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            int choice = random.nextInt(4);
            if (names.isEmpty() || choice == 0) {
                object.set(random.nextBoolean() ? "unknown" + random.nextInt(10) : "", oddValue());
            } else if (choice == 1) {
                object.remove(names.get(random.nextInt(names.size())));
            } else {
                object.set(names.get(random.nextInt(names.size())), oddValue());
            }
        } else if (target instanceof ArrayNode array) {
            if (array.isEmpty() || random.nextBoolean()) {
                array.add(oddValue());
            } else {
                array.set(random.nextInt(array.size()), oddValue());
            }
        }
        return root;
    }

    /** Every container in {@code root}, by a loop, not recursion: a {@link #deep} nesting overflowed the stack. */
    private static void collect(JsonNode root, List<JsonNode> into) {
        java.util.ArrayDeque<JsonNode> pending = new java.util.ArrayDeque<>(List.of(root));
        while (!pending.isEmpty()) {
            JsonNode node = pending.pop();
            if (node.isContainerNode()) {
                into.add(node);
                node.forEach(pending::push);
            }
        }
    }

    /** A value a field does not expect. */
    private JsonNode oddValue() {
        return switch (random.nextInt(14)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.textNode("");
            case 2 -> NODES.numberNode(-1);
            case 3 -> NODES.numberNode(Long.MAX_VALUE);
            case 4 -> NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
            case 5 -> NODES.numberNode(1e308 * 10);
            case 6 -> NODES.numberNode(0.5);
            case 7 -> NODES.booleanNode(random.nextBoolean());
            case 8 -> NODES.arrayNode().add(1).add("x");
            case 9 -> NODES.objectNode().put("x", 1);
            case 10 -> NODES.textNode("x".repeat(random.nextInt(10_000)));
            case 11 -> NODES.textNode("-1s \u0000\u202e../../etc/passwd %s ${x}");
            case 12 -> deep(1 + random.nextInt(2_000));
            default -> NODES.textNode(Long.toString(random.nextLong()));
        };
    }

    private static JsonNode deep(int levels) {
        JsonNode node = NODES.numberNode(1);
        for (int i = 0; i < levels; i++) {
            node = NODES.arrayNode().add(node);
        }
        return node;
    }
}
