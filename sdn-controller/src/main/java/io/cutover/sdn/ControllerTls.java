package io.cutover.sdn;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The controller's TLS towards its switches ({@code ssl:HOST:PORT} in Open vSwitch), for
 * {@link ControllerOptions.Builder#sslContext}.
 * <p>
 * With a CA, every switch must present a certificate that chains to it, or its connection is closed before any
 * OpenFlow message is read (counted by {@link SdnController#refusedTlsSessions()}, one log line). The CA vouches
 * only that the peer holds a key it certified: it does not say which datapath id the peer may claim. Give it to
 * switches alone (Open vSwitch's {@code ovs-pki} keeps a separate {@code switchca} for that). Without
 * {@link SwitchIdentities}, a holder of any certificate it signed can claim any datapath id that is not connected.
 */
public final class ControllerTls {
    private ControllerTls() {
    }

    /**
     * A server context presenting {@code certificate} (a PEM chain) with {@code privateKey} (PEM, PKCS#8) and, when
     * {@code switchCa} (PEM certificates) is not null, requiring a client certificate signed by it.
     *
     * @throws IllegalArgumentException when a file cannot be read or does not hold what it should
     */
    public static SslContext server(Path certificate, Path privateKey, Path switchCa) {
        for (Path file : new Path[] {certificate, privateKey, switchCa}) {
            if (file != null && !Files.isReadable(file)) {
                throw new IllegalArgumentException("cannot read " + file);
            }
        }
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(certificate.toFile(), privateKey.toFile())
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2");
            if (switchCa != null) {
                builder.trustManager(switchCa.toFile()).clientAuth(ClientAuth.REQUIRE);
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use " + certificate + " / " + privateKey
                    + (switchCa == null ? "" : " / " + switchCa) + ": " + e.getMessage(), e);
        }
    }
}
