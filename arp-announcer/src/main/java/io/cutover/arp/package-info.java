/** Announcing a moved VM's location: gratuitous ARP, RARP and unsolicited NA, their schedules and readiness gate. */
package io.cutover.arp;
