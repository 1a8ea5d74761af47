package org.trestle.sync.core.internal.model;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/** A losing version of an entity, or an open manual conflict. */
@Entity
@Table(name = "OBJECT_VERSION_HISTORY", indexes = @Index(name = "OVH_ENTITY", columnList = "ENTITY_UUID"))
public class VersionHistoryRow {
    @Id
    @Column(name = "VERSION_ID", length = 36)
    public String versionId;
    @Column(name = "ENTITY_TYPE", length = 64, nullable = false)
    public String entityType;
    @Column(name = "ENTITY_UUID", length = 36, nullable = false)
    public String entityUuid;
    @Column(name = "SOURCE_NODE", length = 36)
    public String sourceNode;
    @Column(name = "ARRIVED_AT", nullable = false)
    public Instant arrivedAt;
    @Column(name = "VERSION_UPDATED_AT")
    public Instant versionUpdatedAt;
    @Lob
    @Column(name = "DATA")
    public String data;
    @Lob
    @Column(name = "OTHER_DATA")
    public String otherData;
    @Column(name = "RESOLUTION", length = 20, nullable = false)
    public String resolution;
    @Column(name = "IS_OPEN", nullable = false)
    public boolean open;
    @Column(name = "RESOLVED_AT")
    public Instant resolvedAt;
}
