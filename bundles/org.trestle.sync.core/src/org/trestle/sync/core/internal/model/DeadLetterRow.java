package org.trestle.sync.core.internal.model;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/** A received change that could not be applied, kept for an administrator. */
@Entity
@Table(name = "SYNC_ERRORS")
public class DeadLetterRow {
    @Id
    @Column(name = "ERROR_ID", length = 36)
    public String id;
    @Column(name = "SENDER_NODE", length = 36, nullable = false)
    public String sender;
    @Column(name = "SEQ", nullable = false)
    public long seq;
    @Column(name = "ENTITY_TYPE", length = 200)
    public String entityType;
    @Column(name = "ENTITY_UUID", length = 200)
    public String entityUuid;
    @Column(name = "ERROR_CODE", length = 64, nullable = false)
    public String error;
    @Column(name = "MESSAGE", length = 2000)
    public String message;
    @Lob
    @Column(name = "CHANGE_JSON")
    public String change;
    @Column(name = "RECEIVED_AT", nullable = false)
    public Instant receivedAt;
}
