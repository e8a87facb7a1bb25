package io.cutover.lab;

/**
 * Open vSwitch's command-line tools, pointed at one of the lab's switch daemons: the fabric's ({@link Lab}) or a
 * hypervisor host's own ({@link HostSwitch}).
 */
public interface OvsTools {
    /** Runs {@code ovs-vsctl} against the daemon's database. */
    CommandResult vsctl(String... args);

    /** Runs {@code ovs-ofctl} against the daemon's bridges, named in {@code args}. */
    CommandResult ofctl(String... args);

    /** Runs {@code ovs-appctl} against the daemon's {@code ovs-vswitchd}. */
    CommandResult appctl(String... args);
}
