/** Benchmarks: each compares a capability with a real baseline in the same run and reports a ratio. */
package io.cutover.bench;
