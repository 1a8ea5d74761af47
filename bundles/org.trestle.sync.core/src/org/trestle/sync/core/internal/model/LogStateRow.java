package org.trestle.sync.core.internal.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * The change log's one row of state, shared by every process that writes the database.
 * A transaction that writes log rows takes its seqs by raising {@code LAST_SEQ}; the row
 * stays locked until that transaction ends, so transactions that log commit one after
 * another in seq order, whichever process they run in. The versions tell the processes
 * when their copies in memory must be read again.
 */
@Entity
@Table(name = "SYNC_LOG_STATE")
public class LogStateRow {
    /** The one row's id. */
    public static final int ID = 1;

    @Id
    @Column(name = "ID")
    public int id;
    /** The highest seq taken; every log row has a seq at or below it. */
    @Column(name = "LAST_SEQ", nullable = false)
    public long lastSeq;
    /** Raised whenever a node's scope changes (server only). */
    @Column(name = "SCOPE_VERSION", nullable = false)
    public long scopeVersion;
    /** Raised whenever log rows are deleted that a node might still be sent (server only). */
    @Column(name = "LOG_EPOCH", nullable = false)
    public long logEpoch;
}
