/** The {@code cutover} command line: one launcher, a subcommand per capability. */
package io.cutover.cli;
