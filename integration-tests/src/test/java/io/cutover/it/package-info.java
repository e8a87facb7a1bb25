/** End-to-end scenarios on real labs (namespaces, Open vSwitch, BIND 9); run by failsafe. */
package io.cutover.it;
