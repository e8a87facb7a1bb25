/** Reference guests: the in-process synthetic guest with its workloads, and the guest descriptors. */
package io.cutover.migration.guest;
