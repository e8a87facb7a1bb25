/** Frames built into reused buffers, their round scheduler and the Pcap4J sender. */
package io.cutover.arp.impl;
