package org.trestle.sync.api.packet;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One change in a packet.
 *
 * @param seq        the sender's change-queue id, increasing
 * @param entityType the contributed entity type name, e.g. {@code Estimate}
 * @param entityUuid the entity's global id
 * @param operation  insert, update or delete
 * @param updatedAt  when the sender's version was written (UTC)
 * @param data       the entity's full state by attribute name; {@code null} for deletes
 * @param changed    the attributes the sender changed since the version it last
 *                   received, or {@code null} when unknown (then a conflict concerns the
 *                   whole entity)
 * @param base       extension: the number of the last packet from the receiver that the
 *                   sender had applied when it made this change, or {@code null}
 * @param resolves   extension: the version id of the conflict this change resolves, or
 *                   {@code null}
 * @since 0.1
 */
public record Change(long seq, String entityType, String entityUuid, Operation operation, Instant updatedAt,
        ObjectNode data, List<String> changed, Long base, String resolves) {

    public Change {
        Objects.requireNonNull(entityType, "entityType");
        Objects.requireNonNull(entityUuid, "entityUuid");
        Objects.requireNonNull(operation, "operation");
        changed = changed == null ? null : List.copyOf(changed);
    }
}
