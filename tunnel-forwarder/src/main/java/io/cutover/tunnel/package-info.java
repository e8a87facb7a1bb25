/** The brownout tunnel forwarder: moves, their options, counters, the forwarder and its daemon. */
package io.cutover.tunnel;
