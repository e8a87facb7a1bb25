package io.cutover.lab;

/**
 * A kernel setting of one lab node changed for a while: closing it puts back the value it had (see
 * {@link Lab#overrideSysctl(String, String, String)}).
 */
public final class SysctlOverride implements AutoCloseable {
    private final Lab lab;
    private final String node;
    private final String key;
    private final String was;

    SysctlOverride(Lab lab, String node, String key, String value) {
        this.lab = lab;
        this.node = node;
        this.key = key;
        this.was = lab.exec(node, "sysctl", "-n", key).orThrow().stdout().strip();
        lab.exec(node, "sysctl", "-qw", key + "=" + value).orThrow();
    }

    /** The value the setting had before, which closing restores. */
    public String was() {
        return was;
    }

    @Override
    public void close() {
        lab.exec(node, "sysctl", "-qw", key + "=" + was).orThrow();
    }
}
