/** The network lab: namespaces as hosts, veth pairs as cables, Open vSwitch and BIND 9, built on real parts. */
package io.cutover.lab;
