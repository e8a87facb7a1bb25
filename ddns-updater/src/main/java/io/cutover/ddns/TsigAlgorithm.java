package io.cutover.ddns;

import java.util.Locale;

/** The TSIG algorithms the updater signs with. HMAC-MD5 is deliberately absent: it is refused. */
public enum TsigAlgorithm {
    HMAC_SHA1("hmac-sha1"),
    HMAC_SHA224("hmac-sha224"),
    HMAC_SHA256("hmac-sha256"),
    HMAC_SHA384("hmac-sha384"),
    HMAC_SHA512("hmac-sha512");

    private final String bindName;

    TsigAlgorithm(String bindName) {
        this.bindName = bindName;
    }

    /** The name BIND and {@code tsig-keygen} use, such as {@code hmac-sha256}. */
    public String bindName() {
        return bindName;
    }

    /**
     * The algorithm BIND calls {@code name}.
     *
     * @throws IllegalArgumentException for hmac-md5 (refused: broken hash) and unknown names
     */
    public static TsigAlgorithm ofBindName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("hmac-md5")) {
            throw new IllegalArgumentException("TSIG algorithm " + name + " is refused (MD5 is broken); use hmac-sha256");
        }
        for (TsigAlgorithm algorithm : values()) {
            if (algorithm.bindName.equals(lower)) {
                return algorithm;
            }
        }
        throw new IllegalArgumentException("unknown TSIG algorithm '" + name + "' (expected hmac-sha256, hmac-sha512, ...)");
    }
}
