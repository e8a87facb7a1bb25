package io.cutover.sdn.impl;

/**
 * What makes a flow unique in a switch: table, priority and match (in canonical text, so that a match read back
 * from the switch equals the one the controller built).
 */
public record FlowKey(int table, int priority, String match) {
}
