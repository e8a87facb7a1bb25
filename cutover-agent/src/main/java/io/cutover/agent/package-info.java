/** The per-host agent and the cutover plan that sequences the network modules around a migration. */
package io.cutover.agent;
