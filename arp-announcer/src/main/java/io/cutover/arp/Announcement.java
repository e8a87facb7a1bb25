package io.cutover.arp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What to announce: a VM's MAC address, its IP addresses, the frame forms and an optional 802.1Q tag.
 * Immutable; {@code with*} return changed copies.
 *
 * <p>Each form applies to the addresses it can carry: {@link AnnounceForm#REQUEST} and
 * {@link AnnounceForm#REPLY} to IPv4 addresses, {@link AnnounceForm#NA} to IPv6 addresses, and
 * {@link AnnounceForm#RARP} to the MAC alone.
 */
public final class Announcement {
    /** The forms sent unless told otherwise: ARP announcements (request form) and unsolicited NAs. */
    public static final Set<AnnounceForm> DEFAULT_FORMS = Set.copyOf(EnumSet.of(AnnounceForm.REQUEST, AnnounceForm.NA));
    /** No 802.1Q tag. */
    public static final int UNTAGGED = 0;
    /** The largest number of addresses one announcement may carry. */
    public static final int MAX_ADDRESSES = 65_536;

    private final MacAddress mac;
    private final List<InetAddress> addresses;
    private final Set<AnnounceForm> forms;
    private final int vlan;

    private Announcement(MacAddress mac, List<InetAddress> addresses, Set<AnnounceForm> forms, int vlan) {
        this.mac = Objects.requireNonNull(mac, "mac");
        this.addresses = addresses;
        this.forms = forms;
        this.vlan = vlan;
        if (vlan < 0 || vlan > 4094) {
            throw new IllegalArgumentException("VLAN id must be 1..4094 (or 0 for untagged), was " + vlan);
        }
        if (forms.isEmpty()) {
            throw new IllegalArgumentException("no announcement form chosen");
        }
        if (frameCount() == 0) {
            throw new IllegalArgumentException("nothing to announce: forms " + forms + " carry none of the addresses " + addresses);
        }
    }

    /**
     * An announcement of {@code addresses} (IPv4 and IPv6, no duplicates kept) at {@code mac}, with the
     * {@link #DEFAULT_FORMS}, untagged.
     *
     * @throws IllegalArgumentException an address that no VM can own (multicast, loopback, any, link-local IPv4),
     *                                  too many addresses, or nothing to announce
     */
    public static Announcement of(MacAddress mac, Collection<? extends InetAddress> addresses) {
        return of(mac, addresses, DEFAULT_FORMS);
    }

    /**
     * An announcement of {@code addresses} at {@code mac} with these {@code forms}, untagged (RARP alone needs
     * no address).
     *
     * @throws IllegalArgumentException as {@link #of(MacAddress, Collection)}
     */
    public static Announcement of(MacAddress mac, Collection<? extends InetAddress> addresses, Set<AnnounceForm> forms) {
        Objects.requireNonNull(addresses, "addresses");
        Objects.requireNonNull(forms, "forms");
        if (addresses.size() > MAX_ADDRESSES) {
            throw new IllegalArgumentException("too many addresses: " + addresses.size() + " > " + MAX_ADDRESSES);
        }
        Set<InetAddress> unique = new LinkedHashSet<>();
        for (InetAddress address : addresses) {
            unique.add(checkUnicast(Objects.requireNonNull(address, "address")));
        }
        return new Announcement(mac, List.copyOf(unique), forms.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(forms)), UNTAGGED);
    }

    private static InetAddress checkUnicast(InetAddress address) {
        if (address.isMulticastAddress() || address.isAnyLocalAddress() || address.isLoopbackAddress()
                || (address instanceof Inet4Address && (address.isLinkLocalAddress()
                || address.getHostAddress().equals("255.255.255.255")))) {
            throw new IllegalArgumentException("address " + address.getHostAddress() + " cannot be a VM's address");
        }
        return address;
    }

    /** A copy with these forms. */
    public Announcement withForms(Set<AnnounceForm> newForms) {
        Objects.requireNonNull(newForms, "forms");
        return new Announcement(mac, addresses, newForms.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(newForms)), vlan);
    }

    /** A copy tagged with 802.1Q VLAN {@code id} (1..4094), or untagged for {@link #UNTAGGED}. */
    public Announcement withVlan(int id) {
        return new Announcement(mac, addresses, forms, id);
    }

    public MacAddress mac() {
        return mac;
    }

    /** The addresses, in the order given, without duplicates. */
    public List<InetAddress> addresses() {
        return addresses;
    }

    public Set<AnnounceForm> forms() {
        return forms;
    }

    /** The 802.1Q VLAN id, or {@link #UNTAGGED}. */
    public int vlan() {
        return vlan;
    }

    /** The IPv4 addresses. */
    public List<Inet4Address> ipv4() {
        return addresses.stream().filter(Inet4Address.class::isInstance).map(Inet4Address.class::cast).toList();
    }

    /** The IPv6 addresses. */
    public List<Inet6Address> ipv6() {
        return addresses.stream().filter(Inet6Address.class::isInstance).map(Inet6Address.class::cast).toList();
    }

    /** How many frames one round sends. */
    public int frameCount() {
        int v4 = (int) addresses.stream().filter(Inet4Address.class::isInstance).count();
        int v6 = addresses.size() - v4;
        int count = 0;
        if (forms.contains(AnnounceForm.REQUEST)) {
            count += v4;
        }
        if (forms.contains(AnnounceForm.REPLY)) {
            count += v4;
        }
        if (forms.contains(AnnounceForm.NA)) {
            count += v6;
        }
        if (forms.contains(AnnounceForm.RARP)) {
            count += 1;
        }
        return count;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Announcement other && mac.equals(other.mac) && addresses.equals(other.addresses)
                && forms.equals(other.forms) && vlan == other.vlan;
    }

    @Override
    public int hashCode() {
        return Objects.hash(mac, addresses, forms, vlan);
    }

    @Override
    public String toString() {
        return "Announcement[" + mac + " " + addresses.stream().map(InetAddress::getHostAddress).toList()
                + " " + forms + (vlan == UNTAGGED ? "" : " vlan " + vlan) + "]";
    }
}
