/** The DNS updater's implementation: key file parser, wire transport, update messages, the on-disk journal. */
package io.cutover.ddns.impl;
