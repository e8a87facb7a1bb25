package io.cutover.qemu.impl;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cutover.api.MigrationRequest;
import io.cutover.qemu.QmpClient;

/** The migration capabilities both ends of a QEMU migration must agree on, from the cutover's request. */
public final class MigrationSetup {
    private MigrationSetup() {
    }

    /** @throws IllegalArgumentException the request asks for what QEMU cannot do */
    public static void requireSupported(MigrationRequest request) {
        if (request.postCopyAllowed() && request.channels() > 1) {
            throw new IllegalArgumentException("QEMU cannot combine post-copy with multifd (" + request.channels()
                    + " channels): allow post-copy or ask for one channel");
        }
    }

    /**
     * Sets the capabilities on one end: events, post-copy and multifd on both; on the source also
     * {@code pause-before-switchover} (the switchover waits for the network's steps), auto-converge and XBZRLE (the
     * destination decodes XBZRLE pages whatever its own capability says).
     */
    public static void capabilities(QmpClient qmp, MigrationRequest request, boolean source) {
        ArrayNode capabilities = JsonNodeFactory.instance.arrayNode();
        add(capabilities, "events", true);
        add(capabilities, "postcopy-ram", request.postCopyAllowed());
        add(capabilities, "multifd", request.channels() > 1);
        if (source) {
            add(capabilities, "pause-before-switchover", true);
            add(capabilities, "auto-converge", request.autoConverge());
            add(capabilities, "xbzrle", request.xbzrleCache().isPresent());
        }
        ObjectNode arguments = JsonNodeFactory.instance.objectNode();
        arguments.set("capabilities", capabilities);
        qmp.execute("migrate-set-capabilities", arguments);
    }

    private static void add(ArrayNode capabilities, String name, boolean on) {
        capabilities.addObject().put("capability", name).put("state", on);
    }
}
