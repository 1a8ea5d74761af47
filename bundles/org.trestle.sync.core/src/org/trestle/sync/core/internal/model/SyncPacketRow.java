package org.trestle.sync.core.internal.model;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A packet this node built: which of its changes it carried, so an ack can be mapped to a seq. */
@Entity
@Table(name = "SYNC_PACKETS")
public class SyncPacketRow {
    /** {@code <target node id>/<packet no>}. */
    @Id
    @Column(name = "PACKET_KEY", length = 64)
    public String key;
    @Column(name = "TARGET_NODE", length = 36, nullable = false)
    public String targetNode;
    @Column(name = "PACKET_NO", nullable = false)
    public long packetNo;
    @Column(name = "MAX_SEQ", nullable = false)
    public long maxSeq;
    @Column(name = "CHANGE_COUNT", nullable = false)
    public int changeCount;
    /** Where the node's initial load stands after this packet, when it carried a part of it. */
    @Column(name = "LOAD_CURSOR", length = 200)
    public String loadCursor;
    @Column(name = "CREATED_AT", nullable = false)
    public Instant createdAt;

    public static String key(String target, long packetNo) {
        return target + "/" + packetNo;
    }
}
