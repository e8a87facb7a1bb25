/** How the lab is built and torn down: commands, the state journal, Open vSwitch and BIND. */
package io.cutover.lab.impl;
