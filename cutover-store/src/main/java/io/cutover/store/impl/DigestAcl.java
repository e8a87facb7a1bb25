package io.cutover.store.impl;

import io.cutover.store.StoreCredential;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The ACL of every znode a client with a {@link StoreCredential} makes: all rights to its digest identity
 * ({@code digest:user:base64(sha1(user:password))}), none to anyone else. Without a credential, ZooKeeper's open ACL.
 */
final class DigestAcl implements ACLProvider {
    /** A list whose {@code contains(null)} answers (ZooKeeper's create asks it; {@code List.of}'s throws). */
    private final List<ACL> acl;

    private DigestAcl(List<ACL> acl) {
        this.acl = acl;
    }

    static DigestAcl of(StoreCredential credential) {
        return new DigestAcl(credential == null ? ZooDefs.Ids.OPEN_ACL_UNSAFE
                : java.util.Collections.singletonList(new ACL(ZooDefs.Perms.ALL, new Id("digest", identity(credential)))));
    }

    /** The identity ZooKeeper's digest scheme gives a client that authenticated with {@code credential}. */
    static String identity(StoreCredential credential) {
        try {
            return DigestAuthenticationProvider.generateDigest(credential.user() + ":" + credential.password());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-1, which ZooKeeper's digest scheme needs", e);
        }
    }

    /** What the client presents when it connects ({@code addauth digest user:password}). */
    static byte[] authorization(StoreCredential credential) {
        return (credential.user() + ":" + credential.password()).getBytes(StandardCharsets.UTF_8);
    }

    List<ACL> acl() {
        return acl;
    }

    @Override
    public List<ACL> getDefaultAcl() {
        return acl;
    }

    @Override
    public List<ACL> getAclForPath(String path) {
        return acl;
    }
}
