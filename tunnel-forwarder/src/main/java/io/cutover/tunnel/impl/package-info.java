/** The forwarder's machinery: VXLAN and sealed codecs, replay window, hold buffer, Pcap4J capture and injection, Netty UDP, journal, REST. */
package io.cutover.tunnel.impl;
