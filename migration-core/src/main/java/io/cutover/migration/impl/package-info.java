/** The migrator's implementation: source and destination sessions, the switchover decision, rate control. */
package io.cutover.migration.impl;
