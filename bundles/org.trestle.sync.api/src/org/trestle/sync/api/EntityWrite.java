package org.trestle.sync.api;

import java.util.Objects;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One write of {@link EntityStore#putAll}: attributes to set on an entity (created when
 * it does not exist), or its deletion.
 *
 * @param type   the entity type's name
 * @param uuid   the entity's global id
 * @param data   the attributes to set, in wire form; {@code null} for a delete
 * @param delete whether the entity is deleted
 * @since 0.1
 */
public record EntityWrite(String type, String uuid, ObjectNode data, boolean delete) {

    public EntityWrite {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(uuid, "uuid");
        if (!delete) {
            Objects.requireNonNull(data, "data");
        }
    }

    /** @return a write that sets the attributes named in {@code data} */
    public static EntityWrite put(String type, String uuid, ObjectNode data) {
        return new EntityWrite(type, uuid, data, false);
    }

    /** @return a write that deletes the entity */
    public static EntityWrite delete(String type, String uuid) {
        return new EntityWrite(type, uuid, null, true);
    }
}
