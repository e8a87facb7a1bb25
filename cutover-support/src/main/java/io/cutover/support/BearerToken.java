package io.cutover.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/** The bearer token an HTTP API asks of every caller ({@code Authorization: Bearer <token>}), compared in constant time. */
public final class BearerToken {
    /** The shortest token a daemon takes. */
    public static final int MIN_LENGTH = 16;
    private static final String SCHEME = "Bearer ";

    private final byte[] token;

    public BearerToken(String token) {
        this.token = Objects.requireNonNull(token, "token").getBytes(StandardCharsets.UTF_8);
    }

    /** Whether {@code authorization}, an {@code Authorization} header or {@code null}, carries this token. */
    public boolean admits(String authorization) {
        byte[] presented = authorization != null && authorization.startsWith(SCHEME)
                ? authorization.substring(SCHEME.length()).strip().getBytes(StandardCharsets.UTF_8) : new byte[0];
        return MessageDigest.isEqual(presented, token);
    }

    /** Why {@code authorization} was refused, for the answer's detail and the log. */
    public static String refusal(String authorization) {
        return authorization == null ? "missing bearer token" : "wrong bearer token";
    }
}
