package org.trestle.sync.api.packet;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A sync packet: what one node sends another in one exchange.
 *
 * @param protocol      the protocol version, {@code 1}
 * @param schemaVersion the sender's schema version
 * @param sender        the sender's node id
 * @param target        the receiver's node id
 * @param packetNo      the sender's number for this packet to this target (1, 2, ...)
 * @param ack           the highest packet number the sender has received from the target
 * @param createdAt     when the packet was built
 * @param hasMore       whether the sender has more changes queued for the target
 * @param changes       the changes, in {@code seq} order
 * @since 0.1
 */
public record Packet(int protocol, String schemaVersion, String sender, String target, long packetNo, long ack,
        Instant createdAt, boolean hasMore, List<Change> changes) {

    public Packet {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(target, "target");
        changes = List.copyOf(changes);
    }
}
