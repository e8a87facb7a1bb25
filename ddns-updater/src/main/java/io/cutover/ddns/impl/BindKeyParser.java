package io.cutover.ddns.impl;

import io.cutover.ddns.KeyFileException;
import io.cutover.ddns.TsigAlgorithm;
import io.cutover.ddns.TsigKey;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Parses BIND's {@code key "name" { algorithm hmac-sha256; secret "base64"; };} syntax, with {@code #},
 * {@code //} and {@code /* *}{@code /} comments. Other statements before the first key are skipped.
 */
public final class BindKeyParser {
    private final List<String> tokens;
    private final String source;
    private int next;

    private BindKeyParser(List<String> tokens, String source) {
        this.tokens = tokens;
        this.source = source;
    }

    /** The first key in {@code text}; {@code source} names the text in error messages. */
    public static TsigKey parse(String text, String source) {
        return new BindKeyParser(tokenize(text, source), source).firstKey();
    }

    private TsigKey firstKey() {
        while (next < tokens.size() && !tokens.get(next).equals("key")) {
            next++;
        }
        if (next == tokens.size()) {
            throw error("no 'key' statement");
        }
        next++;
        String name = unquote(take("a key name"));
        expect("{");
        String algorithm = null;
        String secret = null;
        while (!peek().equals("}")) {
            String keyword = take("'algorithm', 'secret' or '}'");
            String value = unquote(take("a value for '" + keyword + "'"));
            expect(";");
            switch (keyword) {
                case "algorithm" -> algorithm = value;
                case "secret" -> secret = value;
                default -> { } // other clauses of a key statement do not concern TSIG signing
            }
        }
        expect("}");
        expect(";");
        return keyOf(source, name, algorithm, secret);
    }

    /**
     * The key a file's fields make, as BIND and Knot both write them: the algorithm by its BIND name, the secret in
     * base64; a missing or bad field is a {@link KeyFileException} naming {@code source} and the key.
     */
    static TsigKey keyOf(String source, String name, String algorithm, String secret) {
        if (algorithm == null) {
            throw new KeyFileException(source + ": key " + name + " has no 'algorithm'");
        }
        if (secret == null || secret.isEmpty()) {
            throw new KeyFileException(source + ": key " + name + " has no 'secret'");
        }
        TsigAlgorithm hmac;
        try {
            hmac = TsigAlgorithm.ofBindName(algorithm);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(source + ": " + e.getMessage());
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(secret);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(source + ": key " + name + ": the secret is not base64 (" + e.getMessage() + ")");
        }
        if (bytes.length == 0) {
            throw new KeyFileException(source + ": key " + name + ": the secret is empty");
        }
        return new TsigKey(name, hmac, bytes);
    }

    private String peek() {
        if (next >= tokens.size()) {
            throw error("unexpected end of file");
        }
        return tokens.get(next);
    }

    private String take(String what) {
        if (next >= tokens.size()) {
            throw error("unexpected end of file, expected " + what);
        }
        String token = tokens.get(next++);
        if (token.equals("{") || token.equals("}") || token.equals(";")) {
            throw error("expected " + what + ", found '" + token + "'");
        }
        return token;
    }

    private void expect(String symbol) {
        if (next >= tokens.size()) {
            throw error("unexpected end of file, expected '" + symbol + "'");
        }
        String token = tokens.get(next++);
        if (!token.equals(symbol)) {
            throw error("expected '" + symbol + "', found '" + token + "'");
        }
    }

    private KeyFileException error(String problem) {
        return new KeyFileException(source + ": " + problem);
    }

    private static String unquote(String token) {
        return token.startsWith("\"") ? token.substring(1, token.length() - 1) : token;
    }

    static List<String> tokenize(String text, String source) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#' || (c == '/' && i + 1 < n && text.charAt(i + 1) == '/')) {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new KeyFileException(source + ": unterminated /* comment");
                }
                i = end + 2;
            } else if (c == '{' || c == '}' || c == ';') {
                tokens.add(String.valueOf(c));
                i++;
            } else if (c == '"') {
                int end = text.indexOf('"', i + 1);
                if (end < 0) {
                    throw new KeyFileException(source + ": unterminated quoted string");
                }
                tokens.add(text.substring(i, end + 1));
                i = end + 1;
            } else {
                int start = i;
                while (i < n && !Character.isWhitespace(text.charAt(i)) && "{};\"".indexOf(text.charAt(i)) < 0) {
                    i++;
                }
                tokens.add(text.substring(start, i));
            }
        }
        return tokens;
    }
}
