/** The controller's implementation: OpenFlow codec, switch sessions, flow planning, journal. */
package io.cutover.sdn.impl;
