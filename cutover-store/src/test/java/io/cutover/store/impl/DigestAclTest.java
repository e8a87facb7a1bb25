package io.cutover.store.impl;

import io.cutover.store.StoreCredential;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class DigestAclTest {
    private static final StoreCredential CREDENTIAL = StoreCredential.of("cutover", "0123456789abcdef0123");

    @Test
    void grantsEverythingToTheDigestIdentityAndNothingToTheWorld() throws Exception {
        String expected = "cutover:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                .digest("cutover:0123456789abcdef0123".getBytes(StandardCharsets.UTF_8)));
        DigestAcl acl = DigestAcl.of(CREDENTIAL);
        assertThat(acl.acl()).hasSize(1);
        ACL only = acl.acl().get(0);
        assertThat(only.getPerms()).isEqualTo(ZooDefs.Perms.ALL);
        assertThat(only.getId().getScheme()).isEqualTo("digest");
        assertThat(only.getId().getId()).isEqualTo(expected);
        assertThat(acl.getAclForPath("/cutover/sdn/model")).isEqualTo(acl.getDefaultAcl()).isEqualTo(acl.acl());
        assertThat(DigestAcl.authorization(CREDENTIAL)).asString(StandardCharsets.UTF_8)
                .isEqualTo("cutover:0123456789abcdef0123");
    }

    @Test
    void anotherPasswordIsAnotherIdentity() {
        assertThat(DigestAcl.identity(StoreCredential.of("cutover", "0123456789abcdef0124")))
                .isNotEqualTo(DigestAcl.identity(CREDENTIAL)).startsWith("cutover:");
    }

    @Test
    void withoutACredentialTheAclIsOpen() {
        assertThat(DigestAcl.of(null).acl()).isEqualTo(ZooDefs.Ids.OPEN_ACL_UNSAFE);
    }
}
