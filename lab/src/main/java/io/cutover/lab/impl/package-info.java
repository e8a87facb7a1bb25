/** How the lab is built and torn down: commands, the state journal, Open vSwitch, BIND, guest images and QEMU. */
package io.cutover.lab.impl;
