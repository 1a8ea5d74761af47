package org.trestle.sync.api;

/**
 * Counts a status display or a metrics scrape reads often, each one query.
 *
 * @param peers          the other nodes this node knows
 * @param openConflicts  manual conflicts waiting for a person
 * @param deadLetters    received changes that could not be applied
 * @param deferred       received changes waiting for an entity they reference
 * @since 0.1
 */
public record NodeCounts(long peers, long openConflicts, long deadLetters, long deferred) {
}
