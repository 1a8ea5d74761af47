package org.trestle.sync.core.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import org.eclipse.persistence.jpa.JpaHelper;
import org.eclipse.persistence.sessions.server.Server;
import org.trestle.sync.api.ConflictResolver;
import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.EntityStore;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.ExchangeStep;
import org.trestle.sync.api.LoadWriteListener;
import org.trestle.sync.api.NodeAdministration;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.PacketManager;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.QueuedChange;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncManager;
import org.trestle.sync.api.SyncOutcome;
import org.trestle.sync.api.SyncTransport;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.core.internal.model.AdminTokenRow;
import org.trestle.sync.core.internal.model.DeadLetterRow;
import org.trestle.sync.core.internal.model.DeferredRow;
import org.trestle.sync.core.internal.model.DerivePendingRow;
import org.trestle.sync.core.internal.model.ExtraAttributesRow;
import org.trestle.sync.core.internal.model.LoadStageRow;
import org.trestle.sync.core.internal.model.LogStateRow;
import org.trestle.sync.core.internal.model.NodeScopeRow;
import org.trestle.sync.core.internal.model.SyncChangeRow;
import org.trestle.sync.core.internal.model.SyncNodeRow;
import org.trestle.sync.core.internal.model.SyncPacketRow;
import org.trestle.sync.core.internal.model.TombstoneRow;
import org.trestle.sync.core.internal.model.VersionHistoryRow;
import org.trestle.sync.persistence.LocalStore;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The sync engine of one node database, assembled from its parts over one shared
 * {@link EngineState}: the node registry, the outbox (queues and packets), the packet
 * processor (group commit), the change applier (deferral, conflicts, rules), the
 * conflict store, the entities by type name and the client's exchange. This class only
 * wires them and answers the API.
 */
public final class NodeEngine implements SyncEngine, SyncManager {

    /** The classes of the sync tables, added to every node's persistence unit. */
    public static final List<Class<?>> SYNC_TABLES = List.of(SyncNodeRow.class, SyncChangeRow.class,
            SyncPacketRow.class, VersionHistoryRow.class, DeadLetterRow.class, DeferredRow.class, TombstoneRow.class,
            AdminTokenRow.class, NodeScopeRow.class,
            LogStateRow.class,
            ExtraAttributesRow.class,
            DerivePendingRow.class,
            LoadStageRow.class);

    private final EngineState state;
    private final NodeRegistry registry;
    private final Outbox outbox;
    private final ConflictStore conflicts;
    private final PacketProcessor processor;
    private final LoadStaging staging;
    private final LocalEntities entities;
    private final ClientExchange client;
    private final Consumer<SyncEngine> onClose;

    public NodeEngine(LocalStore store, List<EntityTypeInfo> types, EngineSettings settings, Consumer<SyncEngine> onClose) {
        this.onClose = onClose;
        this.state = new EngineState(store, types, settings);
        Server session = JpaHelper.getServerSession(state.emf);
        session.getEventManager().addListener(state.capture);
        for (EntityTypeInfo t : types) {
            session.getDescriptor(t.type()).getEventManager().addListener(state.capture.timestamps);
        }
        Rules rules = new Rules(state);
        this.registry = new NodeRegistry(state);
        this.outbox = new Outbox(state);
        this.conflicts = new ConflictStore(state, rules);
        ChangeApplier applier = new ChangeApplier(state, rules, new ConflictPolicy(state, rules));
        Prefetch prefetch = new Prefetch(state);
        this.staging = new LoadStaging(state, new KeptLoadWriter(state, new KeptLoadReplay(state, prefetch, applier)));
        this.processor = new PacketProcessor(state, prefetch, applier, staging);
        this.entities = new LocalEntities(state, rules);
        this.client = new ClientExchange(state, outbox, processor, conflicts);
        // rows that were in the types' tables before: adopted now, logged once this node has an identity
        state.adoption.adoptRows();
        state.adoption.logAdopted();
        // the server's indexes for serving initial loads (a client drops any an earlier version made)
        state.load.ensureIndexes();
        // derived values an earlier version's bulk write left to recompute when it was interrupted
        if (!state.isServer()) {
            state.bulk.recomputeListed();
            // an initial load kept whole but stopped before it was written into the tables
            staging.writeWhenOpened();
        }
        // changes of types whose plugin was not installed when they came, and is now
        applier.applyKeptForInstalledTypes();
    }

    // ---------------------------------------------------------------- SyncEngine

    @Override
    public NodeInfo self() {
        return registry.self();
    }

    @Override
    public List<EntityTypeInfo> entityTypes() {
        return state.types;
    }

    @Override
    public EntityManagerFactory entityManagerFactory() {
        return state.emf;
    }

    @Override
    public SyncManager syncManager() {
        return this;
    }

    @Override
    public PacketManager packetManager() {
        return state.packets;
    }

    @Override
    public ConflictResolver conflictResolver() {
        return conflicts;
    }

    @Override
    public EntityStore entities() {
        return entities;
    }

    @Override
    public NodeAdministration administration() {
        return registry;
    }

    @Override
    public <T> T inTx(Function<EntityManager, T> work) {
        return state.inTx(work);
    }

    @Override
    public <T> T read(Function<EntityManager, T> work) {
        return state.read(work);
    }

    @Override
    public void close() {
        onClose.accept(this);
        outbox.close();
        state.close();
        state.store.close();
    }

    /** @return how many pages of initial loads were read ahead since this engine opened, and how many of them were sent */
    public long[] loadPagesReadAhead() {
        return outbox.loadPagesReadAhead();
    }

    /**
     * @return the entities of an initial load this client received and keeps, not yet
     *         written into the entity tables, by type (empty when none)
     */
    public Map<String, Long> keptLoad() {
        return staging.keptCounts();
    }

    /** @return how many packets were applied in a transaction shared with others since this engine opened */
    public long groupedPacketCount() {
        return processor.groupedPacketCount();
    }

    // ---------------------------------------------------------------- SyncManager

    @Override
    public NodeInfo initializeServer(String code) {
        return registry.initializeServer(code);
    }

    @Override
    public NodeInfo initializeLocal() {
        return registry.initializeLocal();
    }

    @Override
    public NodeInfo initializeClient(String selfNodeId, String selfCode, String serverNodeId) {
        return registry.initializeClient(selfNodeId, selfCode, serverNodeId);
    }

    @Override
    public NodeInfo registerNode(String code, String name, String description) {
        return registry.registerNode(code, name, description, null, null);
    }

    @Override
    public String serverNodeId() {
        return state.isServer() ? null : state.serverId();
    }

    @Override
    public long localChangeCount() {
        return outbox.localChangeCount();
    }

    @Override
    public Optional<NodeInfo> node(String nodeId) {
        return registry.node(nodeId);
    }

    @Override
    public List<NodeInfo> nodes() {
        return registry.nodes();
    }

    @Override
    public List<Change> pendingChanges(String targetNodeId, int limit) {
        return outbox.pendingChanges(targetNodeId, limit);
    }

    @Override
    public long pendingCount(String targetNodeId) {
        return outbox.pendingCount(targetNodeId);
    }

    @Override
    public long unsentCount(String targetNodeId) {
        return outbox.unsentCount(targetNodeId);
    }

    @Override
    public void addQueueListener(Consumer<List<QueuedChange>> listener) {
        state.queueListeners.add(listener);
    }

    @Override
    public void addBulkListener(Consumer<Map<String, Long>> listener) {
        state.bulk.addListener(listener);
    }

    @Override
    public void removeBulkListener(Consumer<Map<String, Long>> listener) {
        state.bulk.removeListener(listener);
    }

    @Override
    public void addLoadWriteListener(LoadWriteListener listener) {
        state.bulk.addWriteListener(listener);
    }

    @Override
    public void removeLoadWriteListener(LoadWriteListener listener) {
        state.bulk.removeWriteListener(listener);
    }

    @Override
    public void removeQueueListener(Consumer<List<QueuedChange>> listener) {
        state.queueListeners.remove(listener);
    }

    @Override
    public boolean receives(String nodeId, String root) {
        return state.nodeScopes.sees(nodeId, root);
    }

    @Override
    public ObjectNode serialize(SyncEntity entity) {
        return state.codec.serialize(entity);
    }

    @Override
    public Packet buildPacket(String targetNodeId) {
        return outbox.buildPacket(targetNodeId);
    }

    @Override
    public ProcessResult processPacket(Packet packet) {
        return processor.processPacket(packet);
    }

    @Override
    public ExchangeStep exchange(SyncTransport transport) throws SyncException {
        return client.exchange(transport);
    }

    @Override
    public SyncOutcome synchronize(SyncTransport transport, Predicate<ExchangeStep> proceed) throws SyncException {
        return client.synchronize(transport, proceed);
    }
}
