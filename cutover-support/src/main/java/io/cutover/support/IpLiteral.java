package io.cutover.support;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * IP address literals from untrusted text, never resolved: {@code InetAddress.getByName} takes {@code 1.2.3.999} or a
 * long run of digits for a host name and asks the resolver (seconds, on whatever thread parses a request), so an
 * IPv4 address must be four decimal octets here, and anything else must be an IPv6 literal (with a colon, which
 * {@code getByName} parses and never resolves).
 */
public final class IpLiteral {
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    private IpLiteral() {
    }

    /**
     * The address {@code text} is the literal of.
     *
     * @throws IllegalArgumentException when it is not an IPv4 or IPv6 literal (a name, a number, an octet over 255)
     */
    public static InetAddress parse(String text) {
        String s = text == null ? "" : text.strip();
        if (IPV4.matcher(s).matches()) {
            String[] octets = s.split("\\.");
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                bytes[i] = (byte) Integer.parseInt(octets[i]);
            }
            try {
                return InetAddress.getByAddress(bytes);
            } catch (UnknownHostException e) {
                throw new IllegalStateException("four bytes are an IPv4 address", e);
            }
        }
        if (!IPV6.matcher(s).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
    }
}
