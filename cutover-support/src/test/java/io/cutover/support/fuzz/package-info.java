/** Fuzzing helpers for the parser tests of every module (the test-jar): a seeded mutation engine and a runner. */
package io.cutover.support.fuzz;
