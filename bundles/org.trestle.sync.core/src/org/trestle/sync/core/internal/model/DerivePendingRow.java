package org.trestle.sync.core.internal.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * An entity whose derived values are to be recomputed: written by a client's bulk path,
 * or referred to by an entity that was. Kept in the transaction that wrote the rows, so
 * that an interruption before the recomputation is caught up when the engine opens.
 */
@Entity
@Table(name = "SYNC_DERIVE_PENDING")
public class DerivePendingRow {
    @Id
    @Column(name = "ENTITY_UUID", length = 36)
    public String entityUuid;
    @Column(name = "ENTITY_TYPE", length = 64, nullable = false)
    public String entityType;
}
