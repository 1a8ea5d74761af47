package org.trestle.sync.api;

import java.time.Instant;

/**
 * What a node knows of itself or of a peer.
 *
 * @param nodeId           the node's uuid
 * @param code             its unique code
 * @param name             a name for people
 * @param self             whether this is the local node
 * @param server           whether this is the server (the master)
 * @param revoked          whether an administrator revoked it
 * @param lastSyncIn       when a packet from it was last processed, or {@code null}
 * @param lastSyncOut      when a packet to it was last built, or {@code null}
 * @param sentPacketNo     the number of the last packet built for it
 * @param receivedPacketNo the highest packet number received from it
 * @param pendingChanges   changes queued for it that it has not acknowledged
 * @param typeVersions     the version of each entity type's declaration the node last said it
 *                         runs (in its packets), by type name; empty until it said
 * @param productVersion   the version of the Trestle product the node last exchanged with
 *                         (as its transport said), or {@code null} until it said
 * @since 0.1
 */
public record NodeInfo(String nodeId, String code, String name, boolean self, boolean server, boolean revoked,
        Instant lastSyncIn, Instant lastSyncOut, long sentPacketNo, long receivedPacketNo, long pendingChanges,
        java.util.Map<String, String> typeVersions, String productVersion) {

    public NodeInfo {
        typeVersions = typeVersions == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(
                new java.util.TreeMap<>(typeVersions));
    }

    public NodeInfo(String nodeId, String code, String name, boolean self, boolean server, boolean revoked,
            Instant lastSyncIn, Instant lastSyncOut, long sentPacketNo, long receivedPacketNo, long pendingChanges,
            java.util.Map<String, String> typeVersions) {
        this(nodeId, code, name, self, server, revoked, lastSyncIn, lastSyncOut, sentPacketNo, receivedPacketNo,
                pendingChanges, typeVersions, null);
    }

    public NodeInfo(String nodeId, String code, String name, boolean self, boolean server, boolean revoked,
            Instant lastSyncIn, Instant lastSyncOut, long sentPacketNo, long receivedPacketNo, long pendingChanges) {
        this(nodeId, code, name, self, server, revoked, lastSyncIn, lastSyncOut, sentPacketNo, receivedPacketNo,
                pendingChanges, java.util.Map.of());
    }
}
