/** The replicated store the controller cluster and the agents share: versioned documents, compare-and-set, leader election. */
package io.cutover.store;
