package org.trestle.sync.core.internal.model;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

/** A named token of the administration API, kept only as a hash (server only). */
@Entity
@Table(name = "SYNC_ADMIN_TOKENS", indexes = @Index(name = "SYNC_ADMIN_TOKENS_HASH", columnList = "TOKEN_HASH"))
public class AdminTokenRow {
    @Id
    @Column(name = "NAME", length = 64)
    public String name;
    @Column(name = "TOKEN_HASH", length = 128, nullable = false)
    public String tokenHash;
    @Column(name = "CREATED_AT", nullable = false)
    public Instant createdAt;
    @Column(name = "REVOKED_AT")
    public Instant revokedAt;
}
