package io.cutover.lab.impl;

import io.cutover.lab.MissingPrerequisiteException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Checks, before anything is made, that the lab can be built here. */
public final class Prerequisites {
    /** Each program the lab runs, and the Debian package that brings it. */
    public static final Map<String, String> PROGRAMS = programs();

    private Prerequisites() {
    }

    private static Map<String, String> programs() {
        Map<String, String> programs = new LinkedHashMap<>();
        programs.put("ip", "iproute2");
        programs.put("ovsdb-server", "openvswitch-switch");
        programs.put("ovs-vswitchd", "openvswitch-switch");
        programs.put("ovs-vsctl", "openvswitch-switch");
        programs.put("ovsdb-tool", "openvswitch-switch");
        programs.put("named", "bind9");
        programs.put("tsig-keygen", "bind9");
        programs.put("dig", "bind9-dnsutils");
        programs.put("ping", "iputils-ping");
        programs.put("ethtool", "ethtool");
        return programs;
    }

    /** Throws {@link MissingPrerequisiteException} naming the first thing that is missing. */
    public static void check() {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new MissingPrerequisiteException("the lab needs root (it creates network namespaces); run as root");
        }
        PROGRAMS.forEach((program, pkg) -> {
            if (find(program) == null) {
                throw new MissingPrerequisiteException("'" + program + "' not found: install the Debian package "
                        + pkg + " (scripts/install-packages.sh does)");
            }
        });
        if (!Files.exists(Path.of("/usr/share/openvswitch/vswitch.ovsschema"))) {
            throw new MissingPrerequisiteException(
                    "the Open vSwitch schema is missing: install the Debian package openvswitch-common");
        }
    }

    /** The absolute path of {@code program} on the PATH or in the sbin directories, or {@code null}. */
    public static Path find(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/local/sbin";
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
