/** The network lab: namespaces as hosts, veth pairs as cables, Open vSwitch, BIND 9 and QEMU guests, built on real parts. */
package io.cutover.lab;
