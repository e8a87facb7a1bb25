package io.cutover.migration;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Mutual TLS for the migration stream: each end presents {@code certificate} (PEM chain) with
 * {@code privateKey} (unencrypted PKCS#8 PEM) and accepts only a peer whose certificate is signed by, or is
 * one of, the certificates in {@code trusted} (PEM). Host names are not checked: the trust file pins the peer.
 *
 * @param certificate this end's certificate chain
 * @param privateKey  this end's private key
 * @param trusted     the certificates (or CAs) the peer's certificate must chain to
 */
public record MigrationTls(Path certificate, Path privateKey, Path trusted) {

    public MigrationTls {
        for (Path p : new Path[] {certificate, privateKey, trusted}) {
            Objects.requireNonNull(p, "TLS file");
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("TLS: cannot read " + p);
            }
        }
    }
}
