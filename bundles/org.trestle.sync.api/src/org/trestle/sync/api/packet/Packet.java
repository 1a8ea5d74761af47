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
 * @param types         the version of each entity type's declaration the sender runs, by
 *                      type name (on the wire {@code types}; empty when the sender did not say)
 * @since 0.1
 */
public record Packet(int protocol, String schemaVersion, String sender, String target, long packetNo, long ack,
        Instant createdAt, boolean hasMore, List<Change> changes, java.util.Map<String, String> types) {

    public Packet {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(target, "target");
        changes = List.copyOf(changes);
        types = types == null ? java.util.Map.of() : java.util.Map.copyOf(types);
    }

    /** A packet whose sender does not say which versions of the types it runs. */
    public Packet(int protocol, String schemaVersion, String sender, String target, long packetNo, long ack,
            Instant createdAt, boolean hasMore, List<Change> changes) {
        this(protocol, schemaVersion, sender, target, packetNo, ack, createdAt, hasMore, changes, java.util.Map.of());
    }
}
