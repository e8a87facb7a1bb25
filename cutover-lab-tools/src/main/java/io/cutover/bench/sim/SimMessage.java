package io.cutover.bench.sim;

import org.projectfloodlight.openflow.protocol.OFMessage;

/** What a simulated switch reads from the controller: one whole OpenFlow frame, parsed as far as the switch needs. */
sealed interface SimMessage {

    /** A message OpenFlowJ-Loxi parsed. */
    record Parsed(OFMessage message, byte[] head) implements SimMessage {
    }

    /** An ONF bundle control message (open, close, commit, discard). */
    record BundleControl(long xid, long bundleId, int type, int flags, byte[] head) implements SimMessage {
    }

    /** A message added to a bundle; {@code inner} is the flow-mod (or whatever else) it carries. */
    record BundleAdd(long xid, long bundleId, OFMessage inner, byte[] head) implements SimMessage {
    }

    /** A frame the switch cannot parse (an unknown type, experimenter or a body it does not know): an error answers it. */
    record Unparsed(long xid, int type, String reason, byte[] head) implements SimMessage {
    }

    /** The frame's first bytes, as an OpenFlow error carries them back. */
    byte[] head();
}
