package org.trestle.sync.core.internal.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/**
 * Changes of an initial load that a client received and acknowledged but has not written
 * into the entity tables yet: a run of one type's inserts from one packet, compressed.
 * Kept in the transaction that took the packet, so the load resumes after a kill at any
 * point; deleted in the transaction that writes them.
 */
@Entity
@Table(name = "SYNC_LOAD_STAGE")
public class LoadStageRow {
    /** The seq of the run's first change: the runs of a type are written in this order. */
    @Id
    @Column(name = "FIRST_SEQ")
    public long firstSeq;
    @Column(name = "ENTITY_TYPE", length = 64, nullable = false)
    public String entityType;
    @Column(name = "ENTITY_COUNT", nullable = false)
    public int entityCount;
    /** The changes as a GZIP-compressed JSON array, each as a packet carries it. */
    @Lob
    @Column(name = "CHANGES", nullable = false, length = Integer.MAX_VALUE)
    public byte[] changes;
}
