package io.cutover.ddns.impl;

import io.cutover.ddns.KeyFileException;
import io.cutover.ddns.TsigKey;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the TSIG keys of Knot DNS's YAML, as {@code keymgr -t NAME hmac-sha256} prints them and {@code knot.conf}
 * holds them:
 *
 * <pre>
 * # hmac-sha256:cutover:c2VjcmV0...
 * key:
 *   - id: cutover
 *     algorithm: hmac-sha256
 *     secret: c2VjcmV0...
 * </pre>
 *
 * The first item of the {@code key} section is read; other sections and {@code #} comments are skipped. Values may be
 * quoted.
 */
public final class KnotKeyParser {
    private static final Pattern SECTION = Pattern.compile("^([A-Za-z][\\w-]*)\\s*:\\s*$");
    private static final Pattern ITEM = Pattern.compile("^(\\s*)-\\s+([\\w-]+)\\s*:\\s*(.*)$");
    private static final Pattern FIELD = Pattern.compile("^(\\s+)([\\w-]+)\\s*:\\s*(.*)$");

    private KnotKeyParser() {
    }

    /** Whether {@code text} looks like Knot's YAML (a top-level {@code key:} section) rather than BIND's syntax. */
    public static boolean recognises(String text) {
        return text.lines().map(KnotKeyParser::uncommented).anyMatch(line -> line.matches("^key\\s*:\\s*$"));
    }

    /** The first key of {@code text}'s {@code key} section; {@code source} names the text in error messages. */
    public static TsigKey parse(String text, String source) {
        String section = null;
        java.util.Map<String, String> first = null;
        for (String raw : text.split("\\R")) {
            String line = uncommented(raw);
            if (line.isBlank()) {
                continue;
            }
            Matcher top = SECTION.matcher(line);
            if (top.matches()) {
                if (first != null) {
                    break;
                }
                section = top.group(1);
                continue;
            }
            if (!"key".equals(section)) {
                continue;
            }
            Matcher item = ITEM.matcher(line);
            Matcher field = FIELD.matcher(line);
            if (item.matches()) {
                if (first != null) {
                    break;
                }
                first = new java.util.HashMap<>();
                first.put(item.group(2), unquote(item.group(3)));
            } else if (!field.matches()) {
                throw new KeyFileException(source + ": cannot read '" + raw.strip() + "' in the key section");
            } else if (first != null) {
                first.put(field.group(2), unquote(field.group(3)));
            }
        }
        if (first == null) {
            throw new KeyFileException(source + ": no key in the 'key:' section");
        }
        String id = first.get("id");
        if (id == null || id.isEmpty()) {
            throw new KeyFileException(source + ": the key has no 'id'");
        }
        return BindKeyParser.keyOf(source, id, first.get("algorithm"), first.get("secret"));
    }

    /** {@code line} without a {@code #} comment (YAML's: at the start or after a blank) and trailing blanks. */
    private static String uncommented(String line) {
        int hash = line.startsWith("#") ? 0 : line.indexOf(" #");
        return (hash < 0 ? line : line.substring(0, hash)).stripTrailing();
    }

    private static String unquote(String value) {
        String v = value.strip();
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }
}
