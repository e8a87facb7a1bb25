package io.cutover.migration.impl;

import io.cutover.migration.MigrationTls;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;

/** Netty TLS contexts for the migration stream (JDK provider, TLS 1.3/1.2, client certificates required). */
final class TlsContexts {
    private TlsContexts() {
    }

    static SslContext server(MigrationTls tls) {
        try {
            return SslContextBuilder.forServer(tls.certificate().toFile(), tls.privateKey().toFile())
                    .sslProvider(SslProvider.JDK)
                    .trustManager(tls.trusted().toFile())
                    .clientAuth(ClientAuth.REQUIRE)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS: cannot load " + tls + ": " + e.getMessage(), e);
        }
    }

    static SslContext client(MigrationTls tls) {
        try {
            return SslContextBuilder.forClient()
                    .keyManager(tls.certificate().toFile(), tls.privateKey().toFile())
                    // the trust file pins the peer; migration addresses rarely have names in certificates
                    .endpointIdentificationAlgorithm(null)
                    .sslProvider(SslProvider.JDK)
                    .trustManager(tls.trusted().toFile())
                    .protocols("TLSv1.3", "TLSv1.2")
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS: cannot load " + tls + ": " + e.getMessage(), e);
        }
    }
}
