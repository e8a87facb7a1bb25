/** The replicated store on the lab's real ZooKeeper ensemble. */
package io.cutover.it.store;
