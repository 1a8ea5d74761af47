package org.trestle.sync.core.internal.model;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

/** A node this node knows: itself, the server, or (on the server) a client. */
@Entity
@Table(name = "SYNC_NODES", uniqueConstraints = @UniqueConstraint(name = "SYNC_NODES_CODE", columnNames = "CODE"),
        indexes = { @Index(name = "SYNC_NODES_TOKEN", columnList = "TOKEN_HASH"),
                @Index(name = "SYNC_NODES_PREVIOUS_TOKEN", columnList = "PREVIOUS_TOKEN_HASH") })
public class SyncNodeRow {
    @Id
    @Column(name = "NODE_ID", length = 36)
    public String nodeId;
    @Column(name = "CODE", length = 64, nullable = false)
    public String code;
    @Column(name = "NAME", length = 200)
    public String name;
    @Column(name = "DESCRIPTION", length = 1000)
    public String description;
    @Column(name = "TOKEN_HASH", length = 128)
    public String tokenHash;
    /**
     * The hash of the token a rotation replaced: still accepted until the new token is first
     * used, so that a node whose answer to the rotation was lost is not locked out.
     */
    @Column(name = "PREVIOUS_TOKEN_HASH", length = 128)
    public String previousTokenHash;
    /** The key the node's sync files are signed with, sealed by the server's own key (see the server's Secrets). */
    @Column(name = "FILE_KEY", length = 200)
    public String fileKey;
    @Column(name = "IS_SELF", nullable = false)
    public boolean self;
    @Column(name = "IS_SERVER", nullable = false)
    public boolean server;
    @Column(name = "REVOKED", nullable = false)
    public boolean revoked;
    @Column(name = "SCHEMA_VERSION", length = 32)
    public String schemaVersion;
    @Column(name = "CREATED_AT")
    public Instant createdAt;
    @Column(name = "LAST_SYNC_IN")
    public Instant lastSyncIn;
    @Column(name = "LAST_SYNC_OUT")
    public Instant lastSyncOut;
    /** The number of the last packet this node built for that node. */
    @Column(name = "SENT_PACKET_NO", nullable = false)
    public long sentPacketNo;
    /** The highest packet number received from that node. */
    @Column(name = "RECEIVED_PACKET_NO", nullable = false)
    public long receivedPacketNo;
    /** The highest seq of this node's changes that node has acknowledged. */
    @Column(name = "ACKED_SEQ", nullable = false)
    public long ackedSeq;
    /** The highest seq of that node's changes this node applied. */
    @Column(name = "APPLIED_SEQ", nullable = false)
    public long appliedSeq;
    /**
     * On this node's own row: the highest seq of a change removed from the log because a
     * later change of the same entity superseded it ({@code null}: none yet).
     */
    @Column(name = "PRUNED_SEQ")
    public Long prunedSeq;
    /**
     * On the server, for a client: {@code false} when the node receives only the scope roots
     * listed for it in {@code SYNC_NODE_SCOPES} (and global types); {@code null} or
     * {@code true}: everything.
     */
    @Column(name = "SCOPE_ALL")
    public Boolean scopeAll;
    /**
     * On the server, for a client: the versions of the entity type declarations it last said
     * it runs, {@code Name=major.minor.micro} separated by commas, names in order
     * ({@code null}: it has not said).
     */
    /**
     * Where the node's initial load stands (see {@code InitialLoad}), as of the last packet it
     * acknowledged; {@code null} when it has none under way.
     */
    @Column(name = "LOAD_CURSOR", length = 200)
    public String loadCursor;
    /** What is added to the log's seqs in packets to the node ({@code null}: nothing), see {@code InitialLoad}. */
    @Column(name = "SEQ_OFFSET")
    public Long seqOffset;
    /** How many entities its initial load sends in all, counted when the load (re)started. */
    @Column(name = "LOAD_TOTAL")
    public Long loadTotal;
    @Column(name = "TYPE_VERSIONS", length = 32000)
    public String typeVersions;
    /** The Trestle product version the node last exchanged with ({@code null}: it has not said). */
    @Column(name = "PRODUCT_VERSION", length = 64)
    public String productVersion;

    /** @return the versions as written in {@link #typeVersions} */
    public static String typeVersionsText(java.util.Map<String, String> versions) {
        StringBuilder out = new StringBuilder();
        new java.util.TreeMap<>(versions).forEach((k, v) -> out.append(out.isEmpty() ? "" : ",").append(k).append('=')
                .append(v));
        return out.toString();
    }

    /** @return the versions read from {@link #typeVersions} */
    public java.util.Map<String, String> typeVersionsMap() {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        if (typeVersions != null && !typeVersions.isEmpty()) {
            for (String pair : typeVersions.split(",")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        return out;
    }
}
