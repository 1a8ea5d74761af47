package org.trestle.sync.api;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Conflict strategies, version history and manual resolution.
 *
 * @since 0.1
 */
public interface ConflictResolver {

    /** @return the server-wide default strategy */
    ConflictStrategy defaultStrategy();

    /** @return the strategy of an entity type (its own, else the default) */
    ConflictStrategy strategyFor(String entityType);

    /** @return the open manual conflicts, oldest first */
    List<ConflictRecord> openConflicts();

    /**
     * A page of the open conflicts, oldest first, selected in the database.
     *
     * @param entityType only this type's, or {@code null} for all
     * @param entityUuid only this entity's, or {@code null} for all
     */
    List<ConflictRecord> openConflicts(String entityType, String entityUuid, int offset, int limit);

    /** @return how many manual conflicts wait for a person (one count query) */
    long openConflictCount();

    /**
     * A client records the conflicts the server reported for its changes, with its own
     * version, so that a person can resolve them here.
     */
    void recordConflicts(List<ConflictReport> reports);

    /** @return every stored version of one entity, oldest first */
    List<ConflictRecord> history(String entityType, String entityUuid);

    /**
     * Resolves an open conflict: the given full state becomes a new change of the
     * entity that reaches every node.
     *
     * @param versionId the conflict's version id
     * @param data      the entity's state as a person decided it, by attribute name; {@code null}
     *                  deletes it (the choice of a delete that met an edit)
     * @throws IllegalArgumentException when there is no such open conflict or the data is invalid
     */
    void resolve(String versionId, ObjectNode data);

    /**
     * Restores a deleted entity (server): it lives again with its last state, or with the
     * data of one of its stored versions, and the restore reaches every node.
     *
     * @param versionId a stored version of the entity whose data to restore, or {@code null}
     *                  for its state when it was deleted
     * @return the entity's restored state
     * @throws java.util.NoSuchElementException when there is no such deleted entity
     * @throws IllegalArgumentException when the version is not one of the entity's with data,
     *                                  or the restored state breaks a rule of its type
     */
    ObjectNode restore(String entityType, String entityUuid, String versionId);
}
