/** Safe RFC 2136 dynamic DNS updates signed with TSIG: compare-and-swap, TTL handling, a durable queue. */
package io.cutover.ddns;
