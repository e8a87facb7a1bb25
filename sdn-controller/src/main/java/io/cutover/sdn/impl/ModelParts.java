package io.cutover.sdn.impl;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.sdn.Link;
import io.cutover.sdn.Move;
import io.cutover.sdn.Network;
import io.cutover.sdn.SdnException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The documents {@link SharedModel} splits the desired state into, each gzip-compressed JSON: the head (moves, the
 * next move id, networks, and the names of the other parts), the links, and the endpoints in {@value #BUCKETS}
 * buckets by a stable hash of their names.
 */
final class ModelParts {
    /** The format of the head; the single document before it was {@link StateJournal#FORMAT}. */
    static final int FORMAT = 3;
    /** How many buckets the endpoints are spread over. */
    static final int BUCKETS = 256;
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final TypeReference<List<ModelState.Placed>> PLACED = new TypeReference<>() {
    };
    private static final TypeReference<List<Link>> LINKS = new TypeReference<>() {
    };

    private ModelParts() {
    }

    /**
     * The head: what is small and changes with most writes, and the names of the parts that hold the rest.
     *
     * @param format   {@value #FORMAT}
     * @param revision how many saves made the state (one more at each); part names carry the revision that wrote them
     * @param links    the name of the links' part, or null when there are none
     * @param buckets  the name of each bucket's part ({@value #BUCKETS}), or null for an empty bucket
     */
    record Head(int format, long revision, Map<Integer, Move> moves, int nextMoveId, Map<Integer, Network> networks,
                String links, List<String> buckets) {
    }

    /** The bucket of the endpoint called {@code name}: stable, {@link String#hashCode} being specified. */
    static int bucket(String name) {
        int h = name.hashCode();
        return (h ^ (h >>> 16)) & (BUCKETS - 1);
    }

    static byte[] encodeHead(Head head) {
        return gzip(json(head));
    }

    static Head decodeHead(byte[] data, String where) {
        Head head = read(data, where, JSON.getTypeFactory().constructType(Head.class));
        if (head.format() != FORMAT || head.buckets() == null || head.buckets().size() != BUCKETS) {
            throw new SdnException(where + " is of format " + head.format() + " with " + (head.buckets() == null ? 0
                    : head.buckets().size()) + " buckets (this controller reads format " + FORMAT + ", " + BUCKETS
                    + " buckets)");
        }
        return head;
    }

    static byte[] encodeEndpoints(Collection<ModelState.Placed> placed) {
        return gzip(json(placed));
    }

    static List<ModelState.Placed> decodeEndpoints(byte[] data, String where) {
        return read(data, where, JSON.getTypeFactory().constructType(PLACED));
    }

    static byte[] encodeLinks(List<Link> links) {
        return gzip(json(links));
    }

    static List<Link> decodeLinks(byte[] data, String where) {
        return read(data, where, JSON.getTypeFactory().constructType(LINKS));
    }

    private static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new SdnException("cannot write the controller state: " + e.getMessage(), e);
        }
    }

    private static <T> T read(byte[] data, String where, com.fasterxml.jackson.databind.JavaType type) {
        try {
            return JSON.readValue(gunzip(data, where), type);
        } catch (IOException | IllegalArgumentException e) {
            throw new SdnException("cannot read the controller state " + where + ": " + e.getMessage(), e);
        }
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] gunzip(byte[] data, String where) {
        try (GZIPInputStream zip = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return zip.readAllBytes();
        } catch (IOException e) {
            throw new SdnException(where + " is not a gzip document: " + e.getMessage(), e);
        }
    }
}
