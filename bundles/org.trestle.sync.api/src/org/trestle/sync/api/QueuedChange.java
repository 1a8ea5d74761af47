package org.trestle.sync.api;

/**
 * A row that was just committed to the change log: who made it and whom it is for, so that
 * a server can wake the nodes waiting for changes without reading the log.
 *
 * @param seq    its number in the log
 * @param origin the node the change came from
 * @param target the one node it is addressed to, or {@code null} for every node
 * @param root   the scope root of its entity, or {@code null} for a global type's entity
 * @since 0.1
 */
public record QueuedChange(long seq, String origin, String target, String root) {
}
