package io.cutover.support;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A daemon's TLS material as PEM files: its certificate chain and private key (PKCS#8, {@code BEGIN PRIVATE KEY}),
 * and the CA whose certificates it trusts in its peers. One record serves both sides of an HTTP API: the server
 * presents {@code cert} and, with {@code ca}, asks each caller for a certificate that CA signed (required or merely
 * checked when offered, as {@code requireClientCertificate} says); a client checks the server's certificate against
 * {@code ca} (and the host name it called) and presents {@code cert} when asked.
 *
 * @param cert                     the certificate chain, PEM; {@code null} for a client without one
 * @param key                      the private key of {@code cert}, PEM (PKCS#8); {@code null} with {@code cert}
 * @param ca                       the CA certificates trusted in peers, PEM; {@code null}: the JDK's default ones
 *                                 (a client), nobody asked for a certificate (a server)
 * @param requireClientCertificate whether a server refuses a caller without a certificate {@code ca} signed
 */
public record TlsFiles(Path cert, Path key, Path ca, boolean requireClientCertificate) {
    /** How long a TLS handshake may take before the server closes the connection. */
    public static final long HANDSHAKE_SECONDS = 10;

    public TlsFiles {
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("a certificate and its key go together: got "
                    + (cert == null ? "a key without a certificate" : "a certificate without its key"));
        }
        if (requireClientCertificate && ca == null) {
            throw new IllegalArgumentException("requiring a client certificate needs the CA that signs them");
        }
    }

    /**
     * Reads every file once, so that a wrong path or a key that is not PKCS#8 is refused when the daemon starts,
     * not at its first call.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public TlsFiles checked() {
        clientContext();
        return this;
    }

    /** Options for a Vert.x HTTP server that speaks TLS with these files. */
    public HttpServerOptions serverOptions() {
        if (cert == null) {
            throw new IllegalArgumentException("a TLS server needs a certificate and its key");
        }
        HttpServerOptions options = new HttpServerOptions().setSsl(true)
                .setSslHandshakeTimeout(HANDSHAKE_SECONDS).setSslHandshakeTimeoutUnit(TimeUnit.SECONDS)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString()));
        if (ca != null) {
            options.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()))
                    .setClientAuth(requireClientCertificate ? ClientAuth.REQUIRED : ClientAuth.REQUEST);
        }
        return options;
    }

    /** The context a client calls with: trusts {@code ca} (or the JDK's CAs), presents {@code cert} if it has one. */
    public SSLContext clientContext() {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(ca == null ? null : trustStore(ca));
            KeyManagerFactory keys = null;
            if (cert != null) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                store.setKeyEntry("self", privateKey(key), new char[0], certificates(cert).toArray(Certificate[]::new));
                keys.init(store, new char[0]);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot use the TLS files: " + e.getMessage(), e);
        }
    }

    private static KeyStore trustStore(Path ca) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int n = 0;
        for (Certificate certificate : certificates(ca)) {
            store.setCertificateEntry("ca-" + n++, certificate);
        }
        return store;
    }

    private static List<Certificate> certificates(Path file) throws IOException {
        Collection<? extends Certificate> read;
        try (InputStream in = Files.newInputStream(file)) {
            read = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not PEM certificates (" + e.getMessage() + ")", e);
        }
        if (read.isEmpty()) {
            throw new IOException(file + ": holds no certificate");
        }
        return List.copyOf(read);
    }

    private static PrivateKey privateKey(Path file) throws IOException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IOException(file + ": expected a PKCS#8 key (BEGIN PRIVATE KEY); convert one with "
                    + "'openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW'");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException ignored) {
                // the next algorithm
            }
        }
        throw new IOException(file + ": not an RSA, EC or Ed25519 private key");
    }
}
