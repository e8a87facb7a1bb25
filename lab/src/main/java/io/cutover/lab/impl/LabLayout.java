package io.cutover.lab.impl;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where a lab keeps its files, and how its namespaces are named: the one place that turns a lab's name
 * into paths and names.
 */
public final class LabLayout {
    /** The directory under which every lab has its run directory. */
    public static final Path LABS_ROOT = Path.of("/run/cutover/labs");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,19}");

    private final String name;

    public LabLayout(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad lab name '" + name
                    + "': use 1 to 20 lower-case letters, digits or '-', starting with a letter");
        }
        this.name = name;
    }

    public String name() {
        return name;
    }

    public Path dir() {
        return LABS_ROOT.resolve(name);
    }

    public Path journal() {
        return dir().resolve("state.jsonl");
    }

    public Path info() {
        return dir().resolve("lab.json");
    }

    public Path ovsDir() {
        return dir().resolve("ovs");
    }

    /** The directory of {@code host}'s own Open vSwitch (a hypervisor host's). */
    public Path hostOvsDir(String host) {
        return dir().resolve("ovs-" + host);
    }

    /** The replicated store's directory: one sub-directory a ZooKeeper member (configuration, data, pid, log). */
    public Path storeDir() {
        return dir().resolve("store");
    }

    public Path dnsDir() {
        return dir().resolve("dns");
    }

    /** The namespace of {@code node} in this lab, such as {@code lab-1a2b3c-client}. */
    public String namespace(String node) {
        return name + "-" + node;
    }
}
