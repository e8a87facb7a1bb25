package io.cutover.api;

import java.util.concurrent.CompletionStage;

/**
 * The network's steps that must run while the guest is paused at the source and before it runs at the destination:
 * the tunnel holds, the source's switch redirects. Every millisecond spent here is downtime, so the steps are
 * armed beforehand and only fired here.
 */
@FunctionalInterface
public interface SwitchoverGate {

    /**
     * Runs the switchover's steps. When the returned stage completes the hypervisor finishes the switchover; when
     * it fails the hypervisor cancels the migration and the guest runs on at the source.
     */
    CompletionStage<Void> atSwitchover(CutoverEvent switchover);
}
