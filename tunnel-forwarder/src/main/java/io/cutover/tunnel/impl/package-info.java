/** The forwarder's machinery: a move's ends (source, destination, neighbour proxy, reverse tunnel), VXLAN and sealed codecs, replay window, hold buffer, Pcap4J capture and injection, Netty UDP, journal, REST. */
package io.cutover.tunnel.impl;
