package io.cutover.agent.libvirt;

import java.util.function.Consumer;

/** This host's libvirt domains: their lifecycle events, and their states. */
public interface LibvirtDomains {
    /** What {@link #domainState} says of a domain that runs. */
    String RUNNING = "running";

    /**
     * Hands each lifecycle event of {@code domain} to {@code subscriber}, one at a time and in libvirt's order, until
     * the returned subscription is closed.
     */
    Subscription follow(String domain, Consumer<LibvirtEvent> subscriber);

    /**
     * The domain's state as {@code virsh domstate} words it ({@code running}, {@code paused}, {@code shut off}...),
     * or empty when libvirt knows no such domain.
     *
     * @throws LibvirtException libvirt could not be asked
     */
    String domainState(String domain);

    /** A subscription to one domain's events; closing it twice is harmless. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
