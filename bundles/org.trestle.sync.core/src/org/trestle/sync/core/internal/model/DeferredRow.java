package org.trestle.sync.core.internal.model;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/** A received change held until the entity it references arrives. */
@Entity
@Table(name = "SYNC_DEFERRED", indexes = @Index(name = "SYNC_DEFERRED_MISSING", columnList = "MISSING_UUID"))
public class DeferredRow {
    @Id
    @Column(name = "DEFERRED_ID", length = 36)
    public String id;
    @Column(name = "SENDER_NODE", length = 36, nullable = false)
    public String sender;
    @Column(name = "SEQ", nullable = false)
    public long seq;
    @Column(name = "ENTITY_UUID", length = 36, nullable = false)
    public String entityUuid;
    @Column(name = "MISSING_UUID", length = 36, nullable = false)
    public String missingUuid;
    @Lob
    @Column(name = "CHANGE_JSON", nullable = false)
    public String change;
    @Column(name = "RECEIVED_AT", nullable = false)
    public Instant receivedAt;
}
