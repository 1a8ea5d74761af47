package org.trestle.sync.core.internal.model;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An entity deleted before this node ever had it: a late insert or update must not bring it back. */
@Entity
@Table(name = "SYNC_TOMBSTONES")
public class TombstoneRow {
    @Id
    @Column(name = "ENTITY_UUID", length = 36)
    public String entityUuid;
    @Column(name = "ENTITY_TYPE", length = 64, nullable = false)
    public String entityType;
    @Column(name = "DELETED_AT")
    public Instant deletedAt;
}
