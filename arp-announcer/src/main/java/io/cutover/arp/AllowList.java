package io.cutover.arp;

import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The only addresses an {@link Announcer} will announce: the plan's VM addresses. An announcement with any
 * other address is refused whole, so that a typo never steals a neighbour's address.
 */
public final class AllowList {
    private final Set<InetAddress> addresses;

    private AllowList(Set<InetAddress> addresses) {
        this.addresses = addresses;
    }

    /** An allow-list of exactly these addresses (at least one). */
    public static AllowList of(Collection<? extends InetAddress> addresses) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("the allow-list is empty: name the VM addresses that may be announced");
        }
        return new AllowList(Set.copyOf(addresses));
    }

    /** An allow-list of no address, for announcements that carry none (RARP alone). */
    public static AllowList none() {
        return new AllowList(Set.of());
    }

    public boolean allows(InetAddress address) {
        return addresses.contains(address);
    }

    /** The addresses of {@code announcement} that are not allowed, in its order. */
    public List<InetAddress> refused(Announcement announcement) {
        return announcement.addresses().stream().filter(a -> !allows(a)).toList();
    }

    /** @throws AddressNotAllowedException when {@code announcement} names an address not on the list */
    public void check(Announcement announcement) {
        List<InetAddress> refused = refused(announcement);
        if (!refused.isEmpty()) {
            throw new AddressNotAllowedException(refused);
        }
    }

    public Set<InetAddress> addresses() {
        return addresses;
    }

    @Override
    public String toString() {
        return "AllowList" + addresses.stream().map(InetAddress::getHostAddress).sorted().toList();
    }
}
