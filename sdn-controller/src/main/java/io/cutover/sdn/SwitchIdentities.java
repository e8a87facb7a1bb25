package io.cutover.sdn;

import io.cutover.support.CertificateNames;

import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which certificate name each switch must present, by datapath id, for {@link ControllerOptions.Builder#switchIdentities}:
 * binds a switch CA's certificates to the datapath ids they may claim. A switch whose datapath id is not listed, or
 * whose certificate does not carry its name, is refused once its OpenFlow handshake tells its datapath id, before it
 * is registered or gets a flow.
 * <p>
 * A certificate carries a name when its subject's CN is the name, or starts with the name and a space (the form
 * {@code ovs-pki req+sign NAME switch} writes: {@code NAME id:UUID}), or when a DNS subject alternative name is the
 * name.
 */
public final class SwitchIdentities {
    private final Map<Dpid, String> names;

    private SwitchIdentities(Map<Dpid, String> names) {
        this.names = Map.copyOf(names);
    }

    /** The names by datapath id. */
    public static SwitchIdentities of(Map<Dpid, String> names) {
        names.values().forEach(SwitchIdentities::checkName);
        return new SwitchIdentities(names);
    }

    /**
     * Parses {@code DPID=NAME} bindings (a datapath id as {@link Dpid#parse} reads it).
     *
     * @throws IllegalArgumentException for a binding without {@code =}, a bad datapath id or a datapath id twice
     */
    public static SwitchIdentities parse(Collection<String> bindings) {
        Map<Dpid, String> names = new LinkedHashMap<>();
        for (String binding : bindings) {
            int eq = binding.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("switch identity '" + binding + "' is not DPID=NAME");
            }
            Dpid dpid = Dpid.parse(binding.substring(0, eq).trim());
            if (names.put(dpid, binding.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException("switch identity for " + dpid + " is given twice");
            }
        }
        return of(names);
    }

    private static void checkName(String name) {
        if (name == null || name.isBlank() || name.contains(" ")) {
            throw new IllegalArgumentException("switch identity name '" + name + "' is empty or holds a space");
        }
    }

    public Map<Dpid, String> names() {
        return names;
    }

    /**
     * Why a switch claiming {@code dpid} with {@code certificate} (null: none) is refused, or empty when it is let in.
     */
    public Optional<String> refusal(Dpid dpid, X509Certificate certificate) {
        String name = names.get(dpid);
        if (name == null) {
            return Optional.of("datapath id " + dpid + " is not bound to a certificate name");
        }
        if (certificate == null) {
            return Optional.of("datapath id " + dpid + " is bound to '" + name + "' but the switch has no certificate");
        }
        List<String> carried = CertificateNames.of(certificate);
        if (carried.stream().anyMatch(n -> n.equals(name) || n.startsWith(name + " "))) {
            return Optional.empty();
        }
        return Optional.of("datapath id " + dpid + " is bound to '" + name + "', the certificate names " + carried);
    }
}
