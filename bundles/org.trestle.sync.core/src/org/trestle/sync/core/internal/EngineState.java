package org.trestle.sync.core.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

import jakarta.persistence.CacheRetrieveMode;
import jakarta.persistence.CacheStoreMode;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;

import org.slf4j.LoggerFactory;
import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.QueuedChange;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.core.internal.model.LogStateRow;
import org.trestle.sync.core.internal.model.SyncChangeRow;
import org.trestle.sync.core.internal.model.SyncNodeRow;
import org.trestle.sync.persistence.LocalStore;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the parts of one node's engine share: the database, the codecs, the caches, who
 * this node is, and the locks. The parts (registry, outbox, processor, applier,
 * conflicts, rules, entities) each hold this object and nothing of each other's state.
 */
final class EngineState implements EngineContext {

    /**
     * Hints of a read that goes to the database and leaves what it read in the shared
     * cache: for rows whose counters a lock orders, which a cache must not hold behind
     * the database.
     */
    static final Map<String, Object> FROM_DATABASE = Map.of(
            "jakarta.persistence.cache.retrieveMode", CacheRetrieveMode.BYPASS,
            "jakarta.persistence.cache.storeMode", CacheStoreMode.REFRESH);

    final LocalStore store;
    final EntityManagerFactory emf;
    final EngineSettings settings;
    final List<EntityTypeInfo> types;
    /** The version of each type's declaration this node runs, told in every packet. */
    final Map<String, String> typeVersions;
    final EntityCodec codec;
    final ScopeTree scopes;
    final NodeScopes nodeScopes = new NodeScopes();
    final Scoping scoping;
    final InitialLoad load = new InitialLoad(this);
    final BulkWriter bulk = new BulkWriter(this);
    final List<Consumer<List<QueuedChange>>> queueListeners =
            new CopyOnWriteArrayList<>();
    final PacketCodec packets;
    final RecentChanges recent;
    final TypeVersioning versioning;
    final Adoption adoption;
    final Queries queries = new Queries();
    final ChangeCapture capture;
    /** The live peers; a change from one of them is logged only when another peer exists. */
    final Set<String> peers = new CopyOnWriteArraySet<>();
    /**
     * Held while packets apply and while a node registers: a change must see the log rows
     * of every change committed before it, or a conflict would go unnoticed.
     */
    final ReentrantLock applyLock = new ReentrantLock(true);
    private final Map<String, ReentrantLock> nodeLocks = new ConcurrentHashMap<>();
    private final LogFollower follower;
    /** Whether other processes may write the database too. */
    final boolean shared;
    /** The versions of the log's state row this process's copies match. */
    /** What other processes sharing the database committed, followed; on a database of one process it does nothing. */
    final SharedLog sharedLog;
    private volatile String selfId;
    private volatile String serverId;
    private volatile boolean server;

    EngineState(LocalStore store, List<EntityTypeInfo> types, EngineSettings settings) {
        this.store = store;
        this.emf = store.entityManagerFactory();
        this.settings = settings;
        this.types = List.copyOf(types);
        this.codec = new EntityCodec(types, emf.getMetamodel());
        Map<String, String> versions = new TreeMap<>();
        types.forEach(t -> versions.put(t.name(), t.version()));
        this.typeVersions = Map.copyOf(versions);
        this.scopes = new ScopeTree(codec, emf.getMetamodel());
        this.packets = new PacketCodec(settings.schemaVersion(), Math.max(settings.batchSize(), 10_000));
        this.recent = new RecentChanges(packets.mapper());
        this.versioning = new TypeVersioning(codec, packets.mapper());
        read(em -> {
            versioning.load(em);
            return null;
        });
        this.shared = store.sharedByProcesses();
        LogStateRow logState = LogState.open(emf);
        this.capture = new ChangeCapture(this, logState.lastSeq);
        this.sharedLog = new SharedLog(this, logState);
        this.scoping = new Scoping(this);
        this.adoption = new Adoption(this);
        loadNodes();
        this.follower = shared ? new LogFollower(this) : null;
    }

    /** Stops following other processes; the store is closed by its owner. */
    void close() {
        if (follower != null) {
            follower.close();
        }
    }

    /** Reads who this node is and who its peers are from the node table. */
    void loadNodes() {
        read(em -> {
            nodeScopes.load(em);
            for (SyncNodeRow n : em.createQuery("select n from SyncNodeRow n", SyncNodeRow.class).getResultList()) {
                if (n.self) {
                    selfId = n.nodeId;
                    server = n.server;
                    if (n.prunedSeq != null) {
                        recent.prunedUpTo(n.prunedSeq);
                    }
                } else {
                    if (!n.revoked) {
                        peers.add(n.nodeId);
                    }
                    if (n.server) {
                        serverId = n.nodeId;
                    }
                }
            }
            return null;
        });
    }

    @Override
    public EntityCodec codec() {
        return codec;
    }

    @Override
    public String selfId() {
        return selfId;
    }

    @Override
    public String serverId() {
        return serverId;
    }

    @Override
    public boolean isServer() {
        return server;
    }

    @Override
    public int typeRank(String type) {
        for (int i = 0; i < types.size(); i++) {
            if (types.get(i).name().equals(type)) {
                return i;
            }
        }
        return types.size();
    }

    @Override
    public ObjectNode withExtras(Connection connection, String uuid, ObjectNode data)
            throws SQLException {
        return versioning.withExtras(connection, uuid, data);
    }

    @Override
    public boolean keepsExtras() {
        return versioning.keepsAny();
    }

    @Override
    public boolean sharedByProcesses() {
        return shared;
    }

    /** The channel on which processes tell each other that they logged rows. */
    static final String LOG_CHANNEL = "trestle_log";

    @Override
    public void signal(Connection connection) throws SQLException {
        if (shared) {
            store.signal(connection, LOG_CHANNEL);
        }
    }

    @Override
    public boolean shouldLog(String origin) {
        // another process may have registered a peer this one has not heard of
        if (shared || origin == null || origin.equals(selfId)) {
            return true;
        }
        for (String peer : peers) {
            if (!peer.equals(origin)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void committed(List<SyncChangeRow> rows) {
        if (queueListeners.isEmpty() || rows.isEmpty()) {
            return;
        }
        List<QueuedChange> queued = new ArrayList<>(rows.size());
        for (SyncChangeRow r : rows) {
            queued.add(new QueuedChange(r.seq, r.originNode, r.targetNode, r.rootUuid));
        }
        List<QueuedChange> view = List.copyOf(queued);
        for (var l : queueListeners) {
            try {
                l.accept(view);
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(EngineState.class).warn("A change-log listener failed", e);
            }
        }
    }

    @Override
    public String rootOf(SyncEntity entity) {
        var type = codec.typeOf(entity.getClass());
        return type == null ? null : scopes.rootOf(type, entity);
    }

    void requireSelf() {
        if (selfId == null) {
            throw new IllegalStateException("this node is not set up yet: initialize it as server or client");
        }
    }

    /** @return the lock held while a packet from or for this node is built or processed */
    ReentrantLock nodeLock(String nodeId) {
        return nodeLocks.computeIfAbsent(nodeId, k -> new ReentrantLock());
    }

    String entityName(EntityTypeInfo t) {
        return emf.getMetamodel().entity(t.type()).getName();
    }

    /** A log row carrying an entity's current state, addressed to one node (or to all when {@code null}). */
    SyncChangeRow stateRow(String type, SyncEntity e, String target, Instant now) {
        SyncChangeRow row = new SyncChangeRow();
        row.entityType = type;
        row.entityUuid = e.getUuid();
        row.operation = Operation.UPDATE.name();
        row.updatedAt = e.getUpdatedAt();
        row.data = codec.serialize(e).toString();
        row.originNode = selfId;
        row.targetNode = target;
        row.rootUuid = server ? rootOf(e) : null;
        row.createdAt = now;
        return row;
    }

    /** References resolve from the entities already looked up for the packet first. */
    BiFunction<Class<? extends SyncEntity>, String, SyncEntity> resolver(EntityManager em, Map<String, SyncEntity> known) {
        return (type, uuid) -> {
            SyncEntity k = known == null ? null : known.get(uuid);
            return type.isInstance(k) ? k : em.find(type, uuid);
        };
    }

    static SyncEntity instantiate(Class<? extends SyncEntity> type, String uuid) {
        try {
            SyncEntity e = type.getDeclaredConstructor().newInstance();
            e.setUuid(uuid);
            return e;
        } catch (ReflectiveOperationException e) {
            throw new ApplyException("apply_failed", type.getName() + " cannot be instantiated: " + e);
        }
    }

    static ObjectNode dataOf(Change c) {
        if (c.data() == null) {
            throw new ApplyException("invalid_value", "the change carries no data");
        }
        return c.data();
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }

    /** Runs work in one transaction; rolls back on any failure. */
    <T> T inTx(Function<EntityManager, T> work) {
        EntityManager em = emf.createEntityManager();
        EntityTransaction tx = em.getTransaction();
        try {
            tx.begin();
            T result = work.apply(em);
            tx.commit();
            return result;
        } finally {
            if (tx.isActive()) {
                tx.rollback();
            }
            em.close();
        }
    }

    /** Runs work in one transaction that holds the log's state row from its start ({@link SharedLog#hold}). */
    <T> T inLoggingTx(Function<EntityManager, T> work) {
        return inTx(em -> {
            sharedLog.hold(em);
            return work.apply(em);
        });
    }

    /** Runs read-only work. */
    <T> T read(Function<EntityManager, T> work) {
        EntityManager em = emf.createEntityManager();
        try {
            return work.apply(em);
        } finally {
            em.close();
        }
    }
}
