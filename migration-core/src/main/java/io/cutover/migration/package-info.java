/** Live migration of a guest's memory, the cutover events the network modules listen to, and the built-in migrator as a {@link io.cutover.api.Hypervisor}. */
package io.cutover.migration;
