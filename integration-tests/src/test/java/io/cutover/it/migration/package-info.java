/** Live migration between two processes in two lab hosts, over the underlay cable. */
package io.cutover.it.migration;
