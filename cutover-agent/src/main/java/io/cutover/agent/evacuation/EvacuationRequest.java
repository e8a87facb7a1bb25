package io.cutover.agent.evacuation;

import io.cutover.agent.CutoverRequest;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What an orchestrator asks for when it evacuates a host: every VM it names moved from {@code source} to one of
 * {@code destinations}, at most {@code parallel} cutovers at once.
 *
 * <p>The agent keeps no inventory of its host's VMs (it knows a VM's MAC, addresses and memory only from a cutover's
 * request), so the request names them: each entry of {@code vms} is a cutover's request ({@code POST /v1/cutovers}'s
 * body) without {@code source}, which is the evacuation's, and usually without {@code destination}, which the
 * evacuation picks (the destination with the fewest of its cutovers in flight). An entry that names its destination
 * keeps it, which must be one of {@code destinations}: a VM migrated by QEMU has its incoming QEMU waiting at one
 * host, at the URI its {@code migrator.qemu.uri} names.
 *
 * @param source       the host evacuated: this agent's
 * @param destinations the hosts the VMs move to, at least one
 * @param parallel     cutovers at once, 1 to {@value #MAX_PARALLEL} (default {@value #DEFAULT_PARALLEL})
 * @param vms          the VMs, 1 to {@value #MAX_VMS}, each as a cutover's request
 */
public record EvacuationRequest(String source, List<String> destinations, Integer parallel, List<CutoverRequest> vms) {
    public static final int DEFAULT_PARALLEL = 2;
    public static final int MAX_PARALLEL = 16;
    public static final int MAX_VMS = 256;
    public static final int MAX_DESTINATIONS = 64;
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    /**
     * The request with its default filled in and each VM's request checked as a cutover's is, between the source and
     * its destination (its own, or the first of {@code destinations} while none is picked).
     *
     * @throws IllegalArgumentException naming the field: {@code vms[2].mac: expected ...}
     */
    public EvacuationRequest validated() {
        require(source != null && HOST.matcher(source).matches(), "source", "the evacuated host's name");
        require(destinations != null && !destinations.isEmpty() && destinations.size() <= MAX_DESTINATIONS,
                "destinations", "1 to " + MAX_DESTINATIONS + " host names");
        Set<String> hosts = new HashSet<>();
        for (String destination : destinations) {
            require(destination != null && HOST.matcher(destination).matches(), "destinations",
                    "host names, not '" + destination + "'");
            require(!destination.equals(source), "destinations", "hosts other than the source (" + source + ")");
            require(hosts.add(destination), "destinations", "each host once, not " + destination + " twice");
        }
        int inFlight = parallel == null ? DEFAULT_PARALLEL : parallel;
        require(inFlight >= 1 && inFlight <= MAX_PARALLEL, "parallel", "1 to " + MAX_PARALLEL + " cutovers at once");
        require(vms != null && !vms.isEmpty() && vms.size() <= MAX_VMS, "vms", "1 to " + MAX_VMS + " VMs");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < vms.size(); i++) {
            CutoverRequest vm = vms.get(i);
            String field = "vms[" + i + "]";
            require(vm != null, field, "a VM's cutover request, not null");
            require(vm.source() == null || vm.source().equals(source), field + ".source",
                    "nothing, or the evacuated host " + source);
            require(vm.destination() == null || hosts.contains(vm.destination()), field + ".destination",
                    "nothing, or one of " + destinations);
            try {
                vm.between(source, vm.destination() == null ? destinations.get(0) : vm.destination()).validated();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(field + "." + e.getMessage(), e);
            }
            require(names.add(vm.vm()), field + ".vm", "each VM once, not " + vm.vm() + " twice");
        }
        return new EvacuationRequest(source, List.copyOf(destinations), inFlight, List.copyOf(vms));
    }

    private static void require(boolean ok, String field, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(field + ": expected " + expected);
        }
    }
}
