/** The migrator's implementation: source and destination sessions, the switchover decision, rate control, the migration seen through the Hypervisor SPI. */
package io.cutover.migration.impl;
