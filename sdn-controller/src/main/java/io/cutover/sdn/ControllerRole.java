package io.cutover.sdn;

/**
 * This controller's role towards its switches, as OpenFlow 1.3 role requests set it when several controllers share
 * the switches.
 * <ul>
 *   <li>{@link #EQUAL}: the default, one controller alone (no role request is sent);</li>
 *   <li>{@link #MASTER}: it writes the switches' flows; a switch takes one master at a time, and makes the previous
 *       master a slave;</li>
 *   <li>{@link #SLAVE}: it reads, writes nothing (the switches refuse a slave's writes), and refuses changes to its
 *       model with {@link NotMasterException}.</li>
 * </ul>
 * A master or slave request carries a generation id (from the cluster's leader election): a switch refuses one older
 * than the newest it has seen, so a deposed master that wakes up cannot take the switches back.
 */
public enum ControllerRole {
    EQUAL, MASTER, SLAVE
}
