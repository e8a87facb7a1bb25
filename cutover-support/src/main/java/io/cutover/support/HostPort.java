package io.cutover.support;

import java.net.InetSocketAddress;

/**
 * The one reader of {@code HOST:PORT} options ({@code [V6]:PORT} too).
 *
 * @param host the host or address, without brackets
 * @param port the port
 */
public record HostPort(String host, int port) {

    /** {@code value} of {@code option}, a place to listen on: port 0 picks a free one. */
    public static HostPort parse(String option, String value) {
        return parse(option, value, 0);
    }

    /** {@code value} of {@code option}, a place to connect to: port 1 to 65535. */
    public static HostPort parseRemote(String option, String value) {
        return parse(option, value, 1);
    }

    private static HostPort parse(String option, String value, int lowestPort) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException(option + " '" + value + "' is not HOST:PORT");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " '" + value + "' is not HOST:PORT");
        }
        if (port < lowestPort || port > 65535) {
            throw new IllegalArgumentException(option + ": port out of range (" + lowestPort + "-65535): " + port);
        }
        return new HostPort(host, port);
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }
}
