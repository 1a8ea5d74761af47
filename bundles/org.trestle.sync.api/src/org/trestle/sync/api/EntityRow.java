package org.trestle.sync.api;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A stored entity as other bundles read it: its identity and its attributes in wire form.
 *
 * @param type      the entity type's name
 * @param uuid      the entity's global id
 * @param updatedAt when it was last written
 * @param data      its attributes by name, in wire form (references as uuids)
 * @since 0.1
 */
public record EntityRow(String type, String uuid, Instant updatedAt, ObjectNode data) {
}
