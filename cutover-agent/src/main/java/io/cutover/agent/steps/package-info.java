/** The plan's steps, one adapter per network module: announcements, the tunnel, the SDN fabric, DNS. */
package io.cutover.agent.steps;
