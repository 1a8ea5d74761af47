package org.trestle.sync.api;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A stored version of an entity that lost a conflict, or an open manual conflict.
 *
 * @param versionId   the version's id
 * @param entityType  the entity type
 * @param entityUuid  the entity
 * @param sourceNode  the node the version came from
 * @param arrivedAt   when it arrived
 * @param data        the version's full data ({@code null} for a delete)
 * @param otherData   the competing version kept at the time, where known
 * @param resolution  how it was resolved
 * @param open        whether a person still has to decide
 * @since 0.1
 */
public record ConflictRecord(String versionId, String entityType, String entityUuid, String sourceNode,
        Instant arrivedAt, ObjectNode data, ObjectNode otherData, Resolution resolution, boolean open) {
}
