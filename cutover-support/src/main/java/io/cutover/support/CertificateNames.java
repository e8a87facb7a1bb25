package io.cutover.support;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The names an X.509 certificate gives its holder: its subject's common names, then its DNS subject alternative names.
 * A peer's certificate vouches for its key; these names say whom the key is, for binding it to what the peer claims to
 * be (a switch's datapath id, an agent's host name).
 */
public final class CertificateNames {
    /** The general name type of a DNS name in {@link X509Certificate#getSubjectAlternativeNames()}. */
    private static final int SAN_DNS = 2;

    private CertificateNames() {
    }

    /** The certificate's names; a subject or alternative names that do not parse name nothing. */
    public static List<String> of(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    names.add(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            // a subject that does not parse names nothing
        }
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    if (alternative.size() == 2 && Integer.valueOf(SAN_DNS).equals(alternative.get(0))) {
                        names.add(String.valueOf(alternative.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // alternative names that do not parse name nothing
        }
        return names;
    }
}
