package io.cutover.arp;

import java.net.InetAddress;
import java.util.List;

/** An announcement named addresses outside the allow-list; nothing was sent. */
public class AddressNotAllowedException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient List<InetAddress> refused;

    public AddressNotAllowedException(List<InetAddress> refused) {
        super("not on the allow-list, refusing to announce: "
                + String.join(", ", refused.stream().map(InetAddress::getHostAddress).toList()));
        this.refused = List.copyOf(refused);
    }

    /** The addresses that are not allowed. */
    public List<InetAddress> refused() {
        return refused;
    }
}
