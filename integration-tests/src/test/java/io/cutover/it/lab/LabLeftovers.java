package io.cutover.it.lab;

import io.cutover.lab.impl.Shell;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What a lab may have left on the machine: namespaces, processes, its run directory, root interfaces. */
final class LabLeftovers {
    private LabLeftovers() {
    }

    static List<String> of(String lab) throws Exception {
        List<String> found = new ArrayList<>();
        for (String line : Shell.run("ip", "netns", "list").orThrow().stdout().split("\n")) {
            if (line.startsWith(lab + "-")) {
                found.add("namespace " + line.split(" ")[0]);
            }
        }
        Path dir = Path.of("/run/cutover/labs", lab);
        if (Files.exists(dir)) {
            found.add("run directory " + dir);
        }
        try (Stream<ProcessHandle> processes = ProcessHandle.allProcesses()) {
            processes.filter(p -> p.info().commandLine().orElse("").contains("/run/cutover/labs/" + lab + "/"))
                    .forEach(p -> found.add("process " + p.pid() + " " + p.info().commandLine().orElse("")));
        }
        String rootLinks = Shell.run("ip", "-o", "link", "show").orThrow().stdout();
        if (rootLinks.contains(lab)) {
            found.add("an interface in the root namespace mentions " + lab);
        }
        return found;
    }
}
