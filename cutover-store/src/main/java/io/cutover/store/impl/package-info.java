/** The replicated store on ZooKeeper, through Apache Curator. */
package io.cutover.store.impl;
