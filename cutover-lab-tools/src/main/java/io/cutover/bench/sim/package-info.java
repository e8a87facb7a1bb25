/**
 * A switch simulator: many OpenFlow 1.3 switches in one process, each speaking to the controller as Open vSwitch does
 * (handshake, port descriptions, echo, barriers, ONF bundles, flow-mods, flow statistics) and keeping a flow table of
 * its own, so that the controller can be measured at a scale no lab of real bridges reaches.
 */
package io.cutover.bench.sim;
