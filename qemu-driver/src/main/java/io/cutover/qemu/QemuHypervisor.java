package io.cutover.qemu;

import io.cutover.api.CutoverListener;
import io.cutover.api.GuestState;
import io.cutover.api.Hypervisor;
import io.cutover.api.HypervisorMigration;
import io.cutover.api.MigrationRequest;
import io.cutover.api.SwitchoverGate;
import io.cutover.qemu.impl.QemuMigration;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The QEMU guests of one host, each reached through its QMP socket {@code <dir>/<vm>.qmp}. It holds the switchover:
 * migrations run with {@code pause-before-switchover}, so the network's steps run while the guest is paused at the
 * source and before it runs at the destination.
 *
 * <p>QEMU serves one QMP client per socket: this hypervisor keeps one connection per guest and nothing else may
 * hold that socket while it is used.
 */
public final class QemuHypervisor implements Hypervisor {
    private final Path socketDir;
    private final QemuOptions options;
    private final Map<String, QmpClient> clients = new HashMap<>();

    public QemuHypervisor(Path socketDir) {
        this(socketDir, QemuOptions.defaults());
    }

    public QemuHypervisor(Path socketDir, QemuOptions options) {
        this.socketDir = socketDir;
        this.options = options;
    }

    /** The QMP socket of the guest {@code vm}. */
    public Path socketOf(String vm) {
        if (!vm.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("not a guest name: '" + vm + "'");
        }
        return socketDir.resolve(vm + ".qmp");
    }

    @Override
    public String name() {
        return "qemu";
    }

    @Override
    public boolean holdsSwitchover() {
        return true;
    }

    @Override
    public Optional<GuestState> state(String vm) {
        if (!Files.exists(socketOf(vm))) {
            return Optional.empty();
        }
        String status = client(vm).execute("query-status").path("status").asText("");
        return Optional.of(switch (status) {
            case "running" -> GuestState.RUNNING;
            case "inmigrate" -> GuestState.INCOMING;
            case "postmigrate", "shutdown", "internal-error", "guest-panicked" -> GuestState.STOPPED;
            default -> GuestState.PAUSED;
        });
    }

    /**
     * Migrates {@code request.vm()} to {@code request.destination()}, a QEMU migration URI whose destination was
     * prepared with {@link #prepareIncoming}.
     */
    @Override
    public HypervisorMigration migrate(MigrationRequest request, CutoverListener listener, SwitchoverGate gate) {
        return QemuMigration.start(client(request.vm()), request, listener, gate, options);
    }

    /**
     * Makes this host's incoming QEMU for {@code request.vm()} (started with {@code -incoming defer}) take the
     * migration at {@code uri}, with the capabilities {@code request} needs.
     */
    public IncomingMigration prepareIncoming(MigrationRequest request, String uri) {
        return IncomingMigration.start(client(request.vm()), uri, request);
    }

    /**
     * Closes the QMP connection to {@code vm}'s QEMU, which serves one client at a time, so that its owner (the
     * orchestrator that started it) can talk to it again; the guest keeps running.
     */
    public synchronized void forget(String vm) {
        QmpClient client = clients.remove(vm);
        if (client != null) {
            client.close();
        }
    }

    /** Closes the QMP connections; the guests keep running. */
    @Override
    public synchronized void close() {
        clients.values().forEach(QmpClient::close);
        clients.clear();
    }

    private synchronized QmpClient client(String vm) {
        QmpClient client = clients.get(vm);
        if (client == null || !client.isOpen()) {
            client = QmpClient.connect(socketOf(vm), options.commandTimeout());
            clients.put(vm, client);
        }
        return client;
    }
}
