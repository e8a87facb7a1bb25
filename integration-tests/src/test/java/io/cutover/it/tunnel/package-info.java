/** Integration tests of the tunnel forwarder on the lab. */
package io.cutover.it.tunnel;
