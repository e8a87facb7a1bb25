/** Integration tests of the DNS updater against the lab's BIND 9. */
package io.cutover.it.dns;
