package io.cutover.sdn;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A flow the controller wants on a switch, in readable form.
 *
 * @param switchId     the switch's datapath id (JSON {@code switch})
 * @param table        its table
 * @param priority     its priority
 * @param cookie       its cookie (see {@link Cookie})
 * @param match        the match, such as {@code eth_dst=02:00:c6:12:00:64}
 * @param instructions the instructions, such as {@code output:3}
 */
public record FlowView(@JsonProperty("switch") Dpid switchId, int table, int priority, long cookie, String match,
                       String instructions) {
}
