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
 * @since 0.1
 */
public record NodeInfo(String nodeId, String code, String name, boolean self, boolean server, boolean revoked,
        Instant lastSyncIn, Instant lastSyncOut, long sentPacketNo, long receivedPacketNo, long pendingChanges) {
}
