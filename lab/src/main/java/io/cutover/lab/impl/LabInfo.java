package io.cutover.lab.impl;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cutover.lab.LabException;
import io.cutover.lab.Topology;

import java.io.IOException;
import java.nio.file.Files;

/**
 * What a lab is, as written in its run directory when it is made.
 *
 * @param name      the lab's name
 * @param topology  its shape
 * @param createdBy the pid of the process that made it
 * @param owner     who made it ({@link #currentUser()}); {@code null} for a lab made before owners were recorded
 */
public record LabInfo(String name, Topology topology, long createdBy, String owner) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static void write(LabLayout layout, Topology topology) throws IOException {
        JSON.writeValue(layout.info().toFile(), new LabInfo(layout.name(), topology, ProcessHandle.current().pid(),
                currentUser()));
    }

    /** Who runs this process: the user behind {@code sudo} where there is one (everyone is root here), else the user. */
    public static String currentUser() {
        String sudoUser = System.getenv("SUDO_USER");
        return sudoUser != null && !sudoUser.isBlank() ? sudoUser : System.getProperty("user.name");
    }

    /** The information of an existing lab. */
    public static LabInfo read(LabLayout layout) {
        if (!Files.exists(layout.info())) {
            throw new LabException("no lab named " + layout.name() + " (nothing in " + layout.dir() + ")");
        }
        try {
            return JSON.readValue(layout.info().toFile(), LabInfo.class);
        } catch (IOException e) {
            throw new LabException("cannot read " + layout.info() + ": " + e.getMessage(), e);
        }
    }
}
