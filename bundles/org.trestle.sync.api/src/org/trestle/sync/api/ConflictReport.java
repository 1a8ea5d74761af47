package org.trestle.sync.api;

/**
 * A conflict met while applying a packet, as the exchange answer reports it.
 *
 * @since 0.1
 */
public record ConflictReport(String versionId, String entityType, String entityUuid, Resolution resolution) {
}
