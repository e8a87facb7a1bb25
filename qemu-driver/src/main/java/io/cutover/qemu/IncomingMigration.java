package io.cutover.qemu;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.cutover.api.MigrationRequest;
import io.cutover.qemu.impl.MigrationSetup;

import java.util.concurrent.CompletableFuture;

/**
 * The destination's side of a QEMU migration: a QEMU started with {@code -incoming defer}, told where to take the
 * stream ({@code migrate-incoming}). {@link #activated()} completes when the guest resumes here (QEMU's {@code
 * RESUME} event, after which QEMU sends its own RARPs), and fails if the incoming migration fails (QEMU then
 * exits).
 */
public final class IncomingMigration implements AutoCloseable {
    private final CompletableFuture<Long> activated = new CompletableFuture<>();
    private final AutoCloseable subscription;

    private IncomingMigration(QmpClient qmp) {
        subscription = qmp.onEvent(event -> {
            if (event.name().equals("RESUME")) {
                activated.complete(event.nanoTime());
            } else if (event.name().equals("MIGRATION") && event.text("status").equals("failed")) {
                activated.completeExceptionally(new QmpException("the incoming migration at " + qmp.socket()
                        + " failed"));
            }
        });
    }

    /**
     * Sets the capabilities {@code request} needs on the destination QEMU behind {@code qmp} and makes it take the
     * migration stream at {@code uri} (such as {@code unix:/run/…/vm.migrate} or {@code tcp:198.19.0.2:4444}).
     */
    static IncomingMigration start(QmpClient qmp, String uri, MigrationRequest request) {
        MigrationSetup.requireSupported(request);
        IncomingMigration incoming = new IncomingMigration(qmp);
        try {
            MigrationSetup.capabilities(qmp, request, false);
            qmp.execute("migrate-incoming", JsonNodeFactory.instance.objectNode().put("uri", uri));
        } catch (RuntimeException e) {
            incoming.close();
            throw e;
        }
        return incoming;
    }

    /** Completes with the {@link System#nanoTime()} at which the guest resumed here. */
    public CompletableFuture<Long> activated() {
        return activated;
    }

    @Override
    public void close() {
        try {
            subscription.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
