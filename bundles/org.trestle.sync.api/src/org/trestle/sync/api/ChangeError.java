package org.trestle.sync.api;

/**
 * A change that could not be applied; it is kept for an administrator.
 *
 * @param seq        the sender's seq
 * @param entityType the entity type as sent
 * @param entityUuid the entity uuid as sent
 * @param error      a machine code such as {@code unknown_entity_type}
 * @param message    what is wrong, for people
 * @since 0.1
 */
public record ChangeError(long seq, String entityType, String entityUuid, String error, String message) {
}
