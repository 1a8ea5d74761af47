package org.trestle.sync.core.internal.model;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/**
 * The change log. One row per captured change; what is queued for a target is every
 * row after the target's acknowledged seq that did not come from it and is addressed
 * to everyone or to it. Rows are written by the capture at commit, in seq order.
 */
@Entity
@Table(name = "SYNC_CHANGES", indexes = { @Index(name = "SYNC_CHANGES_UUID", columnList = "ENTITY_UUID"),
        @Index(name = "SYNC_CHANGES_ROOT", columnList = "ROOT_UUID") })
public class SyncChangeRow {
    @Id
    @Column(name = "SEQ")
    public long seq;
    @Column(name = "ENTITY_TYPE", length = 64, nullable = false)
    public String entityType;
    @Column(name = "ENTITY_UUID", length = 36, nullable = false)
    public String entityUuid;
    @Column(name = "OPERATION", length = 8, nullable = false)
    public String operation;
    @Column(name = "UPDATED_AT")
    public Instant updatedAt;
    @Lob
    @Column(name = "DATA")
    public String data;
    @Column(name = "CHANGED_ATTRS", length = 2000)
    public String changed;
    @Column(name = "ORIGIN_NODE", length = 36, nullable = false)
    public String originNode;
    /** {@code null}: every node; else only this one. */
    @Column(name = "TARGET_NODE", length = 36)
    public String targetNode;
    /** On the server: the scope root the entity belongs to, {@code null} for a global type's entity. */
    @Column(name = "ROOT_UUID", length = 36)
    public String rootUuid;
    @Column(name = "BASE_PACKET")
    public Long base;
    @Column(name = "RESOLVES", length = 36)
    public String resolves;
    @Column(name = "CREATED_AT", nullable = false)
    public Instant createdAt;
}
