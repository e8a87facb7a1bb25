/** The announcer proven on a lab: Linux neighbour tables, Open vSwitch MAC learning, tshark decodes. */
package io.cutover.it.arp;
