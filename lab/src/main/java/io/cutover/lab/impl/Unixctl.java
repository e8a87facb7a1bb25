package io.cutover.lab.impl;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.lab.LabException;

import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A command to an Open vSwitch daemon over its control socket (what {@code ovs-appctl} does: one JSON-RPC request
 * on a Unix socket), without starting a process: milliseconds less where they count, such as in a VM's blackout.
 */
final class Unixctl {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Unixctl() {
    }

    /** Calls {@code method} with {@code params} on the daemon listening on {@code socket}; returns its result text. */
    static String call(Path socket, String method, String... params) {
        ObjectNode request = JSON.createObjectNode().put("id", 0).put("method", method);
        request.putArray("params").addAll(java.util.Arrays.stream(params).map(JSON.getNodeFactory()::textNode).toList());
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap(JSON.writeValueAsBytes(request)));
            InputStream in = Channels.newInputStream(channel);
            try (JsonParser parser = JSON.getFactory().createParser(in)) {
                JsonNode reply = JSON.readTree(parser);
                if (reply == null) {
                    throw new LabException(method + " on " + socket + ": no reply");
                }
                if (!reply.path("error").isNull() && !reply.path("error").isMissingNode()) {
                    throw new LabException(method + " on " + socket + " failed: " + reply.path("error").asText());
                }
                return reply.path("result").asText();
            }
        } catch (IOException e) {
            throw new LabException("cannot call " + method + " on " + socket + ": " + e.getMessage(), e);
        }
    }
}
