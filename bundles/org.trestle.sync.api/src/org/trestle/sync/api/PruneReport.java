package org.trestle.sync.api;

/**
 * What one pruning of the sync log removed.
 *
 * @param changes rows of the change log removed: acknowledged by every node they were
 *                queued for, or (on the server) superseded by a later change of the same
 *                entity, and older than the retention
 * @param packets records of packets sent and acknowledged, older than the retention
 * @param errors  changes kept aside for an administrator, older than their retention
 * @since 0.1
 */
public record PruneReport(long changes, long packets, long errors) {
}
