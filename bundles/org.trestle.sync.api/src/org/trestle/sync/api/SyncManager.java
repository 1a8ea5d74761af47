package org.trestle.sync.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Packet;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Nodes, the change queue, and the building and processing of packets of one node.
 *
 * @since 0.1
 */
public interface SyncManager {

    /** Makes this node the server, with a new node id, unless it is set up already. */
    NodeInfo initializeServer(String code);

    /**
     * Gives a client that has not registered yet an identity of its own, so that edits
     * made before registration are captured; registering later takes them along.
     */
    NodeInfo initializeLocal();

    /** Makes this node a client of the given server, with the ids registration gave. */
    NodeInfo initializeClient(String selfNodeId, String selfCode, String serverNodeId);

    /**
     * Registers a client node (server only) and queues the current state of every live
     * entity for it, parents first.
     *
     * @throws IllegalArgumentException when the code is invalid or taken
     */
    NodeInfo registerNode(String code, String name, String description);

    /** @return the server's node id on a client, {@code null} on the server or before registration */
    String serverNodeId();

    /** @return how many changes this node made itself (before registration: all waiting to be sent) */
    long localChangeCount();

    /** @return the node, if known */
    Optional<NodeInfo> node(String nodeId);

    /** @return every node this node knows, itself included */
    List<NodeInfo> nodes();

    /** @return up to {@code limit} changes queued for the target, oldest first */
    List<Change> pendingChanges(String targetNodeId, int limit);

    /** @return how many changes are queued for the target and not acknowledged */
    long pendingCount(String targetNodeId);

    /**
     * @return how many changes are queued for the target (within its scope) that no packet
     *         built for it has carried yet: what a waiting node has not heard of
     */
    long unsentCount(String targetNodeId);

    /**
     * Tells the listener of every batch of change-log rows once their transaction has
     * committed, on the committing thread: it must return quickly.
     */
    void addQueueListener(Consumer<List<QueuedChange>> listener);

    /**
     * Listens to the entities a client received in bulk, as an initial load brings them:
     * written past the per-entity path (no JPA listener sees them), each such packet is
     * told once, after its commit, with the number of entities by type; a new client's
     * initial load, kept until it is all here and then written a table at a time, is told
     * once when it is written. Derived values (totals) of what was written are recomputed
     * before it is told, so they are current then. The client's sync service also posts it as
     * {@link SyncTopics#BULK_LOADED}.
     */
    void addBulkListener(Consumer<Map<String, Long>> listener);

    void removeBulkListener(Consumer<Map<String, Long>> listener);

    /**
     * Listens to the writing of a new client's kept initial load into the entity tables:
     * how many of its entities are written, of how many. The client's sync service posts
     * it as {@link SyncTopics#PROGRESS} with the phase {@link SyncTopics#PHASE_WRITING}.
     */
    void addLoadWriteListener(LoadWriteListener listener);

    void removeLoadWriteListener(LoadWriteListener listener);

    void removeQueueListener(Consumer<List<QueuedChange>> listener);

    /**
     * @return whether the node receives changes of entities under this root ({@code null}:
     *         a global type's entity); on a client, always
     */
    boolean receives(String nodeId, String root);

    /** @return the entity's attributes by name, in wire form */
    ObjectNode serialize(SyncEntity entity);

    /** Builds the next packet for a target: its queued changes (a batch) and the ack. */
    Packet buildPacket(String targetNodeId);

    /**
     * Processes a packet addressed to this node in one transaction: its ack, then its
     * changes (idempotently, resolving conflicts).
     *
     * @throws org.trestle.sync.api.packet.PacketException when the packet as a whole is refused
     */
    ProcessResult processPacket(Packet packet);

    /**
     * One exchange of a client with its server: its next packet up, the server's answer
     * applied here, the conflicts the server reported recorded for a person.
     *
     * @throws SyncException when the transport fails or the server's packet is refused;
     *                       nothing is lost, the next exchange sends it again
     */
    ExchangeStep exchange(SyncTransport transport) throws SyncException;

    /**
     * Exchanges with the server until neither side has more (PROTOCOL.md, The exchange).
     *
     * @param proceed told of each exchange; returning {@code false} stops after it
     * @throws SyncException as {@link #exchange}
     */
    SyncOutcome synchronize(SyncTransport transport, Predicate<ExchangeStep> proceed)
            throws SyncException;
}
