/** The demonstration: a VM on the lab, a client that probes it, a cutover, and the report of what the client saw. */
package io.cutover.demo;
