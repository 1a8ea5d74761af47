package org.trestle.sync.core.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.PersistenceException;

import org.eclipse.persistence.jpa.JpaHelper;
import org.eclipse.persistence.sessions.server.Server;
import org.trestle.sync.api.ChangeError;
import org.trestle.sync.api.ConflictRecord;
import org.trestle.sync.api.ConflictReport;
import org.trestle.sync.api.ConflictResolver;
import org.trestle.sync.api.ConflictStrategy;
import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.PacketManager;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.Resolution;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncManager;
import org.trestle.sync.api.SyncProtocol;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.packet.PacketException;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;
import org.trestle.sync.core.internal.model.DeadLetterRow;
import org.trestle.sync.core.internal.model.DeferredRow;
import org.trestle.sync.core.internal.model.SyncChangeRow;
import org.trestle.sync.core.internal.model.SyncNodeRow;
import org.trestle.sync.core.internal.model.SyncPacketRow;
import org.trestle.sync.core.internal.model.TombstoneRow;
import org.trestle.sync.core.internal.model.VersionHistoryRow;
import org.trestle.sync.persistence.LocalStore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The sync engine of one node database: node bookkeeping, packets, applying incoming
 * changes, and conflicts. Queries go through JPA only.
 */
public final class NodeEngine implements SyncEngine, SyncManager, ConflictResolver, EngineContext {

    /** The classes of the sync tables, added to every node's persistence unit. */
    public static final List<Class<?>> SYNC_TABLES = List.of(SyncNodeRow.class, SyncChangeRow.class,
            SyncPacketRow.class, VersionHistoryRow.class, DeadLetterRow.class, DeferredRow.class, TombstoneRow.class);

    private static final Pattern CODE = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$");

    private final LocalStore store;
    private final EntityManagerFactory emf;
    private final EngineSettings settings;
    private final List<EntityTypeInfo> types;
    private final EntityCodec codec;
    private final PacketCodec packets;
    private final ChangeCapture capture;
    private final RecentChanges recent;
    private final Queries queries = new Queries();
    private final Set<String> peers = new CopyOnWriteArraySet<>();
    private final Map<String, ReentrantLock> nodeLocks = new ConcurrentHashMap<>();
    private final ReentrantLock applyLock = new ReentrantLock(true);
    private volatile String selfId;
    private volatile String serverId;
    private volatile boolean server;

    private final java.util.function.Consumer<SyncEngine> onClose;

    public NodeEngine(LocalStore store, List<EntityTypeInfo> types, EngineSettings settings,
            java.util.function.Consumer<SyncEngine> onClose) {
        this.onClose = onClose;
        this.store = store;
        this.emf = store.entityManagerFactory();
        this.settings = settings;
        this.types = List.copyOf(types);
        this.codec = new EntityCodec(types, emf.getMetamodel());
        this.packets = new PacketCodec(settings.schemaVersion(), Math.max(settings.batchSize(), 10_000));
        this.recent = new RecentChanges(packets.mapper());
        Long maxSeq = read(em -> em.createQuery("select max(r.seq) from SyncChangeRow r", Long.class).getSingleResult());
        this.capture = new ChangeCapture(this, maxSeq == null ? 0 : maxSeq);
        Server session = JpaHelper.getServerSession(emf);
        session.getEventManager().addListener(capture);
        for (EntityTypeInfo t : types) {
            session.getDescriptor(t.type()).getEventManager().addListener(capture.timestamps);
        }
        loadNodes();
    }

    private void loadNodes() {
        read(em -> {
            for (SyncNodeRow n : em.createQuery("select n from SyncNodeRow n", SyncNodeRow.class).getResultList()) {
                if (n.self) {
                    selfId = n.nodeId;
                    server = n.server;
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

    // ---------------------------------------------------------------- SyncEngine

    @Override
    public NodeInfo self() {
        return selfId == null ? null : node(selfId).orElse(null);
    }

    @Override
    public List<EntityTypeInfo> entityTypes() {
        return types;
    }

    @Override
    public EntityManagerFactory entityManagerFactory() {
        return emf;
    }

    @Override
    public SyncManager syncManager() {
        return this;
    }

    @Override
    public PacketManager packetManager() {
        return packets;
    }

    @Override
    public ConflictResolver conflictResolver() {
        return this;
    }

    /**
     * An online backup of this node's database into {@code target}, while it keeps serving.
     *
     * @return the folder holding the copy of the database
     */
    public java.nio.file.Path backup(java.nio.file.Path target) {
        return store.backup(target);
    }

    /** @return the folder holding this node's database */
    public java.nio.file.Path databaseFolder() {
        return store.databaseFolder();
    }

    @Override
    public void close() {
        onClose.accept(this);
        store.close();
    }

    // ---------------------------------------------------------------- EngineContext

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
    public boolean shouldLog(String origin) {
        if (origin == null || origin.equals(selfId)) {
            return true;
        }
        for (String peer : peers) {
            if (!peer.equals(origin)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- nodes

    @Override
    public NodeInfo initializeServer(String code) {
        checkCode(code);
        inTx(em -> {
            SyncNodeRow self = selfRow(em);
            if (self == null) {
                self = newNode(UUID.randomUUID().toString(), code, "Trestle server");
                self.self = true;
                self.server = true;
                em.persist(self);
            } else if (!self.server) {
                throw new IllegalStateException("this node is already set up as a client");
            }
            return null;
        });
        loadNodes();
        return self();
    }

    /**
     * Gives a client that has not registered yet an identity of its own, so that edits
     * made before registration are captured; registering later takes them along.
     */
    public NodeInfo initializeLocal() {
        inTx(em -> {
            if (selfRow(em) == null) {
                String id = UUID.randomUUID().toString();
                SyncNodeRow self = newNode(id, "unregistered-" + id.substring(0, 8), "This computer");
                self.self = true;
                em.persist(self);
            }
            return null;
        });
        loadNodes();
        return self();
    }

    @Override
    public NodeInfo initializeClient(String selfNodeId, String selfCode, String serverNodeId) {
        checkCode(selfCode);
        inTx(em -> {
            SyncNodeRow self = selfRow(em);
            if (self != null) {
                if (self.server) {
                    throw new IllegalStateException("this node is set up as a server");
                }
                if (!self.nodeId.equals(selfNodeId)) {
                    rebind(em, self, selfNodeId, selfCode, serverNodeId);
                }
                return null;
            }
            self = newNode(selfNodeId, selfCode, selfCode);
            self.self = true;
            em.persist(self);
            SyncNodeRow master = newNode(serverNodeId, "server", "Trestle server");
            master.server = true;
            em.persist(master);
            return null;
        });
        loadNodes();
        return self();
    }

    /**
     * The node registered again (its old token was revoked or lost) and got a new id:
     * its own changes are re-labelled, and the server's packet numbering starts over for
     * the new identity, so that nothing local is lost and nothing from the server is
     * mistaken for stale.
     */
    private void rebind(EntityManager em, SyncNodeRow self, String newId, String newCode, String serverNodeId) {
        String oldId = self.nodeId;
        SyncNodeRow fresh = newNode(newId, newCode, newCode);
        fresh.self = true;
        em.remove(self);
        em.flush();
        em.persist(fresh);
        em.createQuery("update SyncChangeRow r set r.originNode = :n where r.originNode = :o").setParameter("n", newId)
                .setParameter("o", oldId).executeUpdate();
        capture.forgetTail();
        SyncNodeRow master = em.find(SyncNodeRow.class, serverNodeId);
        if (master == null) {
            master = newNode(serverNodeId, "server", "Trestle server");
            master.server = true;
            em.persist(master);
        }
        master.receivedPacketNo = 0;
        master.revoked = false;
    }

    @Override
    public NodeInfo registerNode(String code, String name, String description) {
        return registerNode(code, name, description, null, null);
    }

    /**
     * Registers a client node with the hash of its auth token, in one transaction with
     * the queueing of its initial load.
     */
    public NodeInfo registerNode(String code, String name, String description, String schemaVersion, String tokenHash) {
        checkCode(code);
        if (!server) {
            throw new IllegalStateException("only the server registers nodes");
        }
        // No packet is applied meanwhile: a change committed after the entities were read
        // but numbered before the initial load would reach the node first and then be
        // overwritten there by the older state.
        applyLock.lock();
        String id;
        try {
            id = registerLocked(code, name, description, schemaVersion, tokenHash);
        } finally {
            applyLock.unlock();
        }
        peers.add(id);
        return node(id).orElseThrow();
    }

    private String registerLocked(String code, String name, String description, String schemaVersion, String tokenHash) {
        return inTx(em -> {
            Long taken = em.createQuery("select count(n) from SyncNodeRow n where n.code = :c", Long.class)
                    .setParameter("c", code).getSingleResult();
            if (taken > 0) {
                throw new IllegalArgumentException("the node code " + code + " is already registered");
            }
            SyncNodeRow node = newNode(UUID.randomUUID().toString(), code, name == null ? code : name);
            node.description = description;
            node.schemaVersion = schemaVersion;
            node.tokenHash = tokenHash;
            node.ackedSeq = capture.lastSeq();
            em.persist(node);
            queueInitialLoad(em, node.nodeId);
            return node.nodeId;
        });
    }

    /** Entities read at a time when queueing an initial load. */
    private static final int LOAD_PAGE = 1_000;

    /**
     * Queues the current state of every live entity for a new node, parents first, in
     * uuid order within a type. Entities are read a page at a time and leave the
     * persistence context once serialized, so memory holds one page of entities and
     * the serialized rows, never every entity at once.
     */
    private void queueInitialLoad(EntityManager em, String nodeId) {
        Instant now = Wire.now();
        em.flush(); // the node row is written before the persistence context is cleared
        for (EntityTypeInfo t : types) {
            String after = "";
            for (;;) {
                List<? extends SyncEntity> page = em.createQuery("select e from " + entityName(t)
                        + " e where e.deleted = false and e.uuid > :after order by e.uuid", t.type())
                        .setParameter("after", after).setMaxResults(LOAD_PAGE).getResultList();
                for (SyncEntity e : page) {
                    SyncChangeRow row = stateRow(t.name(), e, nodeId, now);
                    row.operation = Operation.INSERT.name();
                    capture.queue(row);
                    after = e.getUuid();
                }
                em.clear();
                if (page.size() < LOAD_PAGE) {
                    break;
                }
            }
        }
    }

    /** Marks a node revoked: its packets are refused and nothing more is queued for it. */
    public void revokeNode(String nodeId) {
        inTx(em -> {
            SyncNodeRow n = em.find(SyncNodeRow.class, nodeId);
            if (n == null || n.self) {
                throw new IllegalArgumentException("no such node: " + nodeId);
            }
            n.revoked = true;
            return null;
        });
        peers.remove(nodeId);
    }

    /** @return the live (not revoked) node whose token has this hash */
    public Optional<NodeInfo> nodeByTokenHash(String tokenHash) {
        return nodeByTokenHash(tokenHash, true);
    }

    /** @return the hash of a node's current token (the key its sync files are signed with), if it has one */
    public Optional<String> tokenHashOf(String nodeId) {
        return Optional.ofNullable(read(em -> {
            SyncNodeRow n = em.find(SyncNodeRow.class, nodeId);
            return n == null ? null : n.tokenHash;
        }));
    }

    /**
     * @param withPending whether to count the node's pending changes (a query over the
     *                    change log); an exchange needs only who the caller is
     */
    public Optional<NodeInfo> nodeByTokenHash(String tokenHash, boolean withPending) {
        return Optional.ofNullable(read(em -> em.createQuery("select n from SyncNodeRow n where n.tokenHash = :h "
                + "and n.revoked = false and n.self = false", SyncNodeRow.class).setParameter("h", tokenHash)
                .getResultStream().findFirst()
                .map(n -> withPending ? info(em, n) : new NodeInfo(n.nodeId, n.code, n.name, n.self, n.server, n.revoked,
                        n.lastSyncIn, n.lastSyncOut, n.sentPacketNo, n.receivedPacketNo, -1))
                .orElse(null)));
    }

    @Override
    public Optional<NodeInfo> node(String nodeId) {
        return Optional.ofNullable(read(em -> {
            SyncNodeRow n = em.find(SyncNodeRow.class, nodeId);
            return n == null ? null : info(em, n);
        }));
    }

    @Override
    public List<NodeInfo> nodes() {
        return read(em -> em.createQuery("select n from SyncNodeRow n order by n.code", SyncNodeRow.class).getResultList()
                .stream().map(n -> info(em, n)).toList());
    }

    private NodeInfo info(EntityManager em, SyncNodeRow n) {
        long pending = n.self ? 0 : count(em, n);
        return new NodeInfo(n.nodeId, n.code, n.name, n.self, n.server, n.revoked, n.lastSyncIn, n.lastSyncOut,
                n.sentPacketNo, n.receivedPacketNo, pending);
    }

    // ---------------------------------------------------------------- queue and packets

    @Override
    public List<Change> pendingChanges(String targetNodeId, int limit) {
        return read(em -> {
            SyncNodeRow n = em.find(SyncNodeRow.class, targetNodeId);
            return n == null ? List.<Change>of() : recent.load(em, queuedSeqs(em, n, limit, visibleSeq()));
        });
    }

    @Override
    public long pendingCount(String targetNodeId) {
        return read(em -> {
            SyncNodeRow n = em.find(SyncNodeRow.class, targetNodeId);
            return n == null ? 0L : count(em, n);
        });
    }

    /**
     * The seqs of the rows queued for a node up to a visible seq: which rows, without
     * reading them. Taken from the log's tail in memory when it holds the range.
     */
    private List<Long> queuedSeqs(EntityManager em, SyncNodeRow n, int limit, long upTo) {
        List<Long> held = capture.tail().queued(n.nodeId, n.ackedSeq, upTo, limit);
        if (held != null) {
            return held;
        }
        return queries.of(em, "select r.seq from SyncChangeRow r where r.seq > :acked and r.seq <= :upTo "
                + "and r.originNode <> :t and (r.targetNode is null or r.targetNode = :t) order by r.seq",
                Long.class).setParameter("acked", n.ackedSeq).setParameter("upTo", upTo)
                .setParameter("t", n.nodeId).setMaxResults(limit).getResultList();
    }

    /** @return the highest seq visible now; every row below it is visible too (capture numbers rows in commit order) */
    private long visibleSeq() {
        return capture.tail().lastCommitted();
    }

    private static long count(EntityManager em, SyncNodeRow n) {
        return em.createQuery("select count(r) from SyncChangeRow r where r.seq > :acked and r.originNode <> :t "
                + "and (r.targetNode is null or r.targetNode = :t)", Long.class)
                .setParameter("acked", n.ackedSeq).setParameter("t", n.nodeId).getSingleResult();
    }

    /**
     * Creates or updates an entity from attribute values as a person entered them (the
     * attributes named in {@code data}), checking the domain's rules first.
     *
     * @return whether the entity was created
     * @throws IllegalArgumentException naming every broken rule or wrong value
     */
    public boolean putEntity(String type, String uuid, ObjectNode data) {
        return inTx(em -> put(em, new Put(type, uuid, data, false)));
    }

    /** One write of {@link #putAll}: attributes to set, or a delete. */
    public record Put(String type, String uuid, ObjectNode data, boolean delete) {
    }

    /**
     * Applies several creates, updates and deletes in one transaction: all of them, or,
     * when one breaks a rule, none.
     *
     * @throws IllegalArgumentException naming the first broken rule
     */
    public void putAll(List<Put> puts) {
        inTx(em -> {
            for (Put p : puts) {
                put(em, p);
            }
            return null;
        });
    }

    private boolean put(EntityManager em, Put p) {
        TypeCodec tc = codec.type(p.type());
        if (tc == null) {
            throw new IllegalArgumentException("unknown entity type " + p.type());
        }
        SyncEntity existing = em.find(tc.info().type(), p.uuid());
        if (p.delete()) {
            if (existing != null) {
                existing.setDeleted(true);
            }
            return false;
        }
        if (existing != null && existing.isDeleted()) {
            throw new IllegalArgumentException(p.type() + " " + p.uuid() + " was deleted");
        }
        java.util.Set<String> only = new java.util.HashSet<>();
        p.data().fieldNames().forEachRemaining(only::add);
        try {
            // attributes not named keep their value (or, for a new entity, its defaults)
            checkRules(em, tc, existing, p.uuid(), p.data(), only);
            SyncEntity entity = existing != null ? existing : instantiate(tc.info().type(), p.uuid());
            codec.apply(tc, entity, p.data(), only, resolver(em));
            if (existing == null) {
                em.persist(entity);
                em.flush(); // later writes of the same batch may reference it
            }
        } catch (ApplyException e) {
            throw new IllegalArgumentException(e.getMessage());
        } catch (MissingReferenceException e) {
            throw new IllegalArgumentException("the entity " + e.getMessage());
        }
        return existing == null;
    }

    /** @return the live entities of a type with their serialized data, oldest edit first */
    public List<Map.Entry<SyncEntity, ObjectNode>> listLive(String type) {
        TypeCodec tc = codec.type(type);
        if (tc == null) {
            throw new IllegalArgumentException("unknown entity type " + type);
        }
        return read(em -> em.createQuery("select e from " + entityName(tc.info()) + " e where e.deleted = false "
                + "order by e.updatedAt", tc.info().type()).getResultList().stream()
                .<Map.Entry<SyncEntity, ObjectNode>>map(e -> Map.entry(e, codec.serialize(e))).toList());
    }

    /** @return how many changes this node made itself (before registration: all waiting to be sent) */
    public long localChangeCount() {
        return read(em -> em.createQuery("select count(r) from SyncChangeRow r where r.originNode = :s", Long.class)
                .setParameter("s", selfId == null ? "" : selfId).getSingleResult());
    }

    @Override
    public ObjectNode serialize(SyncEntity entity) {
        return codec.serialize(entity);
    }

    @Override
    public Packet buildPacket(String targetNodeId) {
        requireSelf();
        ReentrantLock lock = nodeLock(targetNodeId);
        lock.lock();
        try {
            return inTx(em -> {
                SyncNodeRow n = em.find(SyncNodeRow.class, targetNodeId);
                if (n == null || n.self) {
                    throw new IllegalArgumentException("no such node: " + targetNodeId);
                }
                if (n.revoked) {
                    throw new IllegalStateException("node " + n.code + " is revoked");
                }
                int batch = settings.batchSize();
                // Read the log's end first, then the rows up to it: when they all fit, the
                // packet covers the log up to that end, so acknowledging it moves the node
                // past rows meant for other nodes instead of reading them again each time.
                long upTo = visibleSeq();
                List<Long> seqs = queuedSeqs(em, n, batch + 1, upTo);
                boolean more = seqs.size() > batch;
                if (more) {
                    seqs = seqs.subList(0, batch);
                }
                n.sentPacketNo++;
                n.lastSyncOut = Wire.now();
                SyncPacketRow log = new SyncPacketRow();
                log.targetNode = n.nodeId;
                log.packetNo = n.sentPacketNo;
                log.key = SyncPacketRow.key(n.nodeId, n.sentPacketNo);
                log.maxSeq = more ? seqs.get(seqs.size() - 1) : Math.max(n.ackedSeq, upTo);
                log.changeCount = seqs.size();
                log.createdAt = n.lastSyncOut;
                em.persist(log);
                List<Change> changes = recent.load(em, seqs);
                return new Packet(SyncProtocol.PROTOCOL_VERSION, settings.schemaVersion(), selfId, n.nodeId,
                        n.sentPacketNo, n.receivedPacketNo, n.lastSyncOut, more, changes);
            });
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- processing

    /** Accumulates what processing a packet did. */
    private static final class Outcome {
        int processed;
        int skipped;
        final List<ChangeError> errors = new ArrayList<>();
        final List<ConflictReport> conflicts = new ArrayList<>();
        /** Whether any change waits for a reference; when none does, there is nothing to look up. */
        boolean deferredExist;
        /** The entities this packet created or found, by uuid, for its later changes and references. */
        final Map<String, SyncEntity> known = new HashMap<>();
        /** Whether the database held no tombstone when the packet began. */
        boolean noTombstones;
        /** Tombstones this packet wrote. */
        final java.util.Set<String> tombstoned = new java.util.HashSet<>();
        /** Entities of the packet the database did not hold when it began, as type/uuid. */
        final java.util.Set<String> absent = new java.util.HashSet<>();
    }

    /**
     * Finds which of the packet's entities the database lacks with one bounded scan of
     * the uuid index per type, instead of one lookup per change: the uuids stored between
     * the packet's lowest and highest are read, at most a few more than the packet has.
     * On an initial load, whose entities come in uuid order, that range holds nothing
     * yet. When the range holds more (a packet spread over the whole table), each change
     * looks its entity up as before. Only canonical uuids take part: their order is the
     * same under every collation a database may use.
     */
    private void probeAbsent(EntityManager em, List<Change> changes, long appliedSeq, Outcome o) {
        Map<TypeCodec, java.util.TreeSet<String>> byType = new java.util.LinkedHashMap<>();
        for (Change c : changes) {
            TypeCodec tc = c.seq() > appliedSeq && isCanonicalUuid(c.entityUuid()) ? codec.type(c.entityType()) : null;
            if (tc != null) {
                byType.computeIfAbsent(tc, t -> new java.util.TreeSet<>()).add(c.entityUuid());
            }
        }
        for (Map.Entry<TypeCodec, java.util.TreeSet<String>> e : byType.entrySet()) {
            java.util.TreeSet<String> uuids = e.getValue();
            List<String> held = scanRange(em, e.getKey().info(), "e.uuid", String.class, uuids);
            if (held == null) {
                continue;
            }
            Set<String> present = new java.util.HashSet<>(held);
            String type = e.getKey().info().name();
            for (String uuid : uuids) {
                if (!present.contains(uuid)) {
                    o.absent.add(type + "/" + uuid);
                }
            }
        }
    }

    /**
     * Loads the entities that the packet's changes refer to with one bounded range scan
     * per referenced type, instead of one lookup per reference. Items of an estimate
     * name the same few estimates, and time-ordered identities put the estimates of
     * one packet's items next to each other. When the range between the lowest and the
     * highest holds many more entities than are named, nothing is kept and each
     * reference is looked up as before.
     */
    private void prefetchReferences(EntityManager em, List<Change> changes, long appliedSeq, Outcome o) {
        Map<TypeCodec, java.util.TreeSet<String>> byType = new java.util.LinkedHashMap<>();
        for (Change c : changes) {
            TypeCodec tc = c.seq() > appliedSeq && c.data() != null ? codec.type(c.entityType()) : null;
            if (tc == null) {
                continue;
            }
            for (EntityCodec.AttributeCodec a : tc.attributes()) {
                JsonNode ref = a.reference() == null ? null : c.data().get(a.name());
                TypeCodec target = ref != null && ref.isTextual() && isCanonicalUuid(ref.textValue())
                        && !o.known.containsKey(ref.textValue()) ? codec.typeOf(a.reference()) : null;
                if (target != null) {
                    byType.computeIfAbsent(target, t -> new java.util.TreeSet<>()).add(ref.textValue());
                }
            }
        }
        for (Map.Entry<TypeCodec, java.util.TreeSet<String>> e : byType.entrySet()) {
            java.util.TreeSet<String> uuids = e.getValue();
            List<? extends SyncEntity> found = scanRange(em, e.getKey().info(), "e", e.getKey().info().type(), uuids);
            if (found == null) {
                continue;
            }
            for (SyncEntity entity : found) {
                if (uuids.contains(entity.getUuid())) {
                    o.known.put(entity.getUuid(), entity);
                }
            }
        }
    }

    /**
     * One bounded scan of a type's uuid index, from the lowest to the highest of the
     * given uuids, reading at most a few more rows than were named.
     *
     * @param select what to read of each entity {@code e}
     * @return what the range holds, or {@code null} when there are too few uuids for a
     *         scan to pay or the range holds many more entities than were named
     */
    private <T> List<T> scanRange(EntityManager em, EntityTypeInfo info, String select, Class<T> type,
            java.util.TreeSet<String> uuids) {
        if (uuids.size() < 8) {
            return null; // a few lookups cost no more than the scan
        }
        int limit = uuids.size() + 64;
        List<T> found = queries.of(em, "select " + select + " from " + entityName(info)
                + " e where e.uuid >= :lo and e.uuid <= :hi", type).setParameter("lo", uuids.first())
                .setParameter("hi", uuids.last()).setMaxResults(limit + 1).getResultList();
        return found.size() > limit ? null : found;
    }

    private static boolean isCanonicalUuid(String s) {
        if (s == null || s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char ch = s.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? ch != '-' : !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Tombstones are rare: when there are none, no change of the packet needs to look
     * for one.
     */
    private void checkTombstones(EntityManager em, Outcome o) {
        o.noTombstones = queries.of(em, "select count(t) from TombstoneRow t", Long.class).getSingleResult() == 0;
    }

    /** A change whose writing failed in the database; the packet is processed again without it. */
    private static final class FailedChange extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final long seq;

        FailedChange(long seq, String message) {
            super(message, null, false, false);
            this.seq = seq;
        }
    }

    @Override
    public ProcessResult processPacket(Packet packet) {
        requireSelf();
        packets.validate(packet);
        if (!packet.target().equals(selfId)) {
            throw new PacketException(PacketException.INVALID, "the packet's target " + Wire.abbreviate(packet.target())
                    + " is not this node");
        }
        SyncNodeRow sender = read(em -> em.find(SyncNodeRow.class, packet.sender()));
        if (sender == null || sender.self) {
            throw new PacketException(PacketException.INVALID, "the packet's sender " + Wire.abbreviate(packet.sender())
                    + " is not a node known here");
        }
        if (sender.revoked) {
            throw new PacketException(PacketException.INVALID, "the sender " + sender.code + " is revoked");
        }
        ReentrantLock lock = nodeLock(sender.nodeId);
        lock.lock();
        try {
            Job job = new Job(packet, sender.code);
            jobs.add(job);
            applyLock.lock();
            try {
                while (!job.done) {
                    runGroup();
                }
            } finally {
                applyLock.unlock();
            }
            if (job.error != null) {
                throw job.error;
            }
            return job.result;
        } finally {
            lock.unlock();
        }
    }

    /** A packet waiting to be applied, and what came of it. */
    private static final class Job {
        final Packet packet;
        final String senderCode;
        ProcessResult result;
        RuntimeException error;
        boolean done;

        Job(Packet packet, String senderCode) {
            this.packet = packet;
            this.senderCode = senderCode;
        }
    }

    /** Packets waiting for the apply lock; at most one per sender, as the sender's lock is held meanwhile. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Job> jobs = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private final java.util.concurrent.atomic.AtomicLong grouped = new java.util.concurrent.atomic.AtomicLong();

    /** @return how many packets were applied in a transaction shared with others since this engine opened */
    public long groupedPacketCount() {
        return grouped.get();
    }

    /** Changes applied in one transaction at most when packets are grouped. */
    private static final int GROUP_CHANGES = 2_000;

    /**
     * Applies the waiting packets, oldest first, under the apply lock. Packets that
     * queued up meanwhile are applied together in one transaction (group commit: one
     * write to the log on disk for all of them) as long as they name different
     * entities, so that none can hide a conflict from another; the log rows still
     * record each change with its own origin. Should anything in a group fail, each of
     * its packets is applied again on its own, where errors are isolated per change.
     */
    private void runGroup() {
        List<Job> group = new ArrayList<>();
        Set<String> named = new java.util.HashSet<>();
        int changes = 0;
        for (Job next; (next = jobs.peek()) != null;) {
            List<String> uuids = next.packet.changes().stream().map(Change::entityUuid).toList();
            if (!group.isEmpty() && (changes + uuids.size() > GROUP_CHANGES || uuids.stream().anyMatch(named::contains))) {
                break;
            }
            jobs.poll();
            group.add(next);
            named.addAll(uuids);
            changes += uuids.size();
        }
        if (group.isEmpty()) {
            return;
        }
        if (group.size() > 1 && read(em -> queries.of(em, "select count(d) from DeferredRow d", Long.class)
                .getSingleResult()) == 0) {
            try {
                List<Outcome> outcomes = inTx(em -> {
                    List<Outcome> list = new ArrayList<>();
                    for (Job j : group) {
                        list.add(processOnce(em, j.packet, Map.of(), false));
                        // what this packet wrote is seen by the rules checked for the next
                        em.flush();
                    }
                    return list;
                });
                grouped.addAndGet(group.size());
                for (int i = 0; i < group.size(); i++) {
                    Outcome o = outcomes.get(i);
                    group.get(i).result = new ProcessResult(o.processed, o.skipped, o.errors, o.conflicts);
                    group.get(i).done = true;
                }
                return;
            } catch (RuntimeException e) {
                // applied again one by one below, where a failing change is found and kept aside
            }
        }
        for (Job j : group) {
            try {
                j.result = applyAlone(j.packet, j.senderCode);
            } catch (RuntimeException e) {
                j.error = e;
            } finally {
                j.done = true;
            }
        }
    }

    /** Applies one packet in its own transaction, isolating a change that the database refuses. */
    private ProcessResult applyAlone(Packet packet, String senderCode) {
        Map<Long, String> failed = new HashMap<>();
        boolean isolate = false;
        for (int attempt = 0;; attempt++) {
            boolean flushEach = isolate;
            try {
                Outcome o = inTx(em -> processOnce(em, packet, failed, flushEach));
                return new ProcessResult(o.processed, o.skipped, o.errors, o.conflicts);
            } catch (PersistenceException e) {
                if (isolate) {
                    throw e;
                }
                // some change broke a constraint: process again, flushing after each change to find it
                isolate = true;
            } catch (FailedChange f) {
                if (failed.containsKey(f.seq) || attempt > packet.changes().size()) {
                    throw new IllegalStateException("packet " + packet.packetNo() + " from " + senderCode
                            + " could not be applied: " + f.getMessage());
                }
                failed.put(f.seq, f.getMessage());
            }
        }
    }

    private Outcome processOnce(EntityManager em, Packet p, Map<Long, String> failed, boolean flushEach) {
        if (!flushEach) {
            // Queries while applying must not flush the whole unit of work each time (that
            // made a packet quadratic in its size). What they must see is flushed on
            // purpose (deferred changes); a constraint that only the database can check
            // fails the commit, and the packet is then applied again flushing each change.
            em.setFlushMode(jakarta.persistence.FlushModeType.COMMIT);
        }
        Outcome o = new Outcome();
        o.deferredExist = queries.of(em, "select count(d) from DeferredRow d", Long.class).getSingleResult() > 0;
        checkTombstones(em, o);
        SyncNodeRow sender = em.find(SyncNodeRow.class, p.sender());
        if (p.ack() > 0 && p.ack() <= sender.sentPacketNo) {
            SyncPacketRow acked = em.find(SyncPacketRow.class, SyncPacketRow.key(sender.nodeId, p.ack()));
            if (acked != null && acked.maxSeq > sender.ackedSeq) {
                sender.ackedSeq = acked.maxSeq;
            }
        }
        if (p.packetNo() <= sender.receivedPacketNo) {
            o.skipped = p.changes().size();
        } else {
            // The sender's clock may be minutes off. The server reads a change's time as its
            // age on the sender's clock when the packet was built, counted back from when the
            // packet arrived here, so that timestamp_wins compares times of one clock.
            java.time.Instant arrived = Wire.now();
            java.time.Duration shift = server && p.createdAt() != null ? java.time.Duration.between(p.createdAt(), arrived)
                    : java.time.Duration.ZERO;
            if (shift.abs().compareTo(CLOCK_TOLERANCE) < 0) {
                // in step (what remains is transfer time): the sender's times stand as sent
                shift = java.time.Duration.ZERO;
            }
            probeAbsent(em, p.changes(), sender.appliedSeq, o);
            prefetchReferences(em, p.changes(), sender.appliedSeq, o);
            for (Change sent : p.changes()) {
                Change c = shift.isZero() ? sent : onServerClock(sent, shift, arrived);
                if (c.seq() <= sender.appliedSeq) {
                    o.skipped++;
                    continue;
                }
                sender.appliedSeq = c.seq();
                String failure = failed.get(c.seq());
                if (failure != null) {
                    deadLetter(em, sender.nodeId, c, "apply_failed", failure, o);
                    continue;
                }
                if (!flushEach) {
                    applyChecked(em, sender, c, o);
                    continue;
                }
                try {
                    applyChecked(em, sender, c, o);
                    em.flush();
                } catch (PersistenceException e) {
                    throw new FailedChange(c.seq(), rootMessage(e));
                }
            }
            sender.receivedPacketNo = p.packetNo();
        }
        sender.lastSyncIn = Wire.now();
        return o;
    }

    /** Below this difference between a packet's creation and its arrival, clocks count as in step. */
    static final java.time.Duration CLOCK_TOLERANCE = java.time.Duration.ofSeconds(2);

    /** The change with its time moved by the sender's clock offset, never later than its arrival. */
    static Change onServerClock(Change c, java.time.Duration shift, java.time.Instant arrived) {
        if (c.updatedAt() == null) {
            return c;
        }
        java.time.Instant t = c.updatedAt().plus(shift);
        if (t.isAfter(arrived)) {
            t = arrived;
        }
        return new Change(c.seq(), c.entityType(), c.entityUuid(), c.operation(), t, c.data(), c.changed(), c.base(),
                c.resolves());
    }

    private void applyChecked(EntityManager em, SyncNodeRow sender, Change c, Outcome o) {
        TypeCodec tc = codec.type(c.entityType());
        if (tc == null) {
            deadLetter(em, sender.nodeId, c, "unknown_entity_type",
                    "no plugin here declares the entity type '" + Wire.abbreviate(c.entityType()) + "'", o);
            return;
        }
        try {
            apply(em, sender.nodeId, seenSeq(em, sender, c.base()), tc, c, o);
        } catch (ApplyException e) {
            deadLetter(em, sender.nodeId, c, e.code, e.getMessage(), o);
        } catch (MissingReferenceException m) {
            defer(em, sender.nodeId, c, m.missingUuid);
            o.deferredExist = true;
            o.processed++;
        }
    }

    /** The highest seq of this node's changes the sender had seen when it made a change. */
    private static long seenSeq(EntityManager em, SyncNodeRow sender, Long base) {
        if (base == null || base >= sender.sentPacketNo) {
            return base == null ? sender.ackedSeq : Math.max(sender.ackedSeq, maxSeqOf(em, sender, base));
        }
        return maxSeqOf(em, sender, base);
    }

    private static long maxSeqOf(EntityManager em, SyncNodeRow sender, long packetNo) {
        if (packetNo <= 0) {
            return 0;
        }
        SyncPacketRow row = em.find(SyncPacketRow.class, SyncPacketRow.key(sender.nodeId, packetNo));
        return row == null ? sender.ackedSeq : row.maxSeq;
    }

    private void apply(EntityManager em, String origin, long seen, TypeCodec tc, Change c, Outcome o) {
        Class<? extends SyncEntity> type = tc.info().type();
        String uuid = c.entityUuid();
        SyncEntity known = o.known.get(uuid);
        SyncEntity existing = type.isInstance(known) ? known
                : o.absent.contains(tc.info().name() + "/" + uuid) ? null : em.find(type, uuid);
        if (existing != null) {
            o.known.put(uuid, existing);
        }
        boolean tombstoned = o.tombstoned.contains(uuid)
                || (!o.noTombstones && em.find(TombstoneRow.class, uuid) != null);
        if (c.operation() == Operation.DELETE) {
            if (existing != null) {
                if (!existing.isDeleted()) {
                    capture.markIncoming(uuid, origin, c.resolves());
                    existing.setDeleted(true);
                    existing.setUpdatedAt(c.updatedAt() == null ? Wire.now() : c.updatedAt());
                }
            } else if (!tombstoned) {
                TombstoneRow t = new TombstoneRow();
                t.entityUuid = uuid;
                t.entityType = tc.info().name();
                t.deletedAt = c.updatedAt();
                em.persist(t);
                o.tombstoned.add(uuid);
            }
            if (o.deferredExist) {
                dropDeferredFor(em, uuid);
            }
            o.processed++;
            return;
        }
        if (tombstoned || (existing != null && existing.isDeleted())) {
            // a deleted entity never comes back; the edit is kept as a losing version
            if (server && tc.info().versionHistory() && c.data() != null) {
                record(em, UUID.randomUUID().toString(), tc, uuid, origin, c, c.data(), null, Resolution.SERVER_WINS, false);
            }
            o.skipped++;
            return;
        }
        if (!server && existing != null && hasUnacknowledgedLocalChange(em, uuid)) {
            // the server decides between its version and ours; it answers with the outcome
            o.processed++;
            return;
        }
        if (server && existing != null) {
            List<SyncChangeRow> conflicting = queries.of(em, "select r from SyncChangeRow r where r.entityUuid = :u "
                    + "and r.originNode <> :o and (r.targetNode is null or r.targetNode = :o) and r.seq > :seen "
                    + "order by r.seq", SyncChangeRow.class).setParameter("u", uuid).setParameter("o", origin)
                    .setParameter("seen", seen).getResultList();
            if (!conflicting.isEmpty()) {
                resolveConflict(em, origin, tc, existing, c, conflicting, o);
                return;
            }
        }
        if (server) {
            // The server checks the domain's rules on what it accepts. A client takes the
            // master's state as it is: refusing it would leave the client apart for good.
            checkRules(em, tc, existing, uuid, dataOf(c), null, o.known);
        }
        SyncEntity entity = existing != null ? existing : instantiate(type, uuid);
        codec.apply(tc, entity, dataOf(c), null, resolver(em, o.known));
        entity.setUpdatedAt(c.updatedAt() == null ? Wire.now() : c.updatedAt());
        entity.setDeleted(false);
        capture.markIncoming(uuid, origin, c.resolves());
        if (existing == null) {
            em.persist(entity);
            o.known.put(uuid, entity);
        }
        if (c.resolves() != null) {
            closeConflict(em, c.resolves());
        }
        o.processed++;
        if (o.deferredExist) {
            dropDeferredFor(em, uuid);
            releaseDeferred(em, uuid, o);
        }
    }

    private void resolveConflict(EntityManager em, String origin, TypeCodec tc, SyncEntity existing, Change c,
            List<SyncChangeRow> conflicting, Outcome o) {
        String uuid = existing.getUuid();
        ObjectNode serverData = codec.serialize(existing);
        Set<String> incoming = c.changed() == null ? null : new LinkedHashSet<>(c.changed());
        Set<String> ours = new LinkedHashSet<>();
        for (SyncChangeRow r : conflicting) {
            if (r.changed == null || !Operation.UPDATE.name().equals(r.operation)) {
                ours = null;
                break;
            }
            ours.addAll(Arrays.asList(r.changed.split(",")));
        }
        String versionId = UUID.randomUUID().toString();
        boolean history = tc.info().versionHistory();
        ConflictStrategy strategy = tc.info().strategy();
        Resolution resolution;
        if (incoming != null && ours != null && c.operation() == Operation.UPDATE && Collections.disjoint(incoming, ours)) {
            checkRules(em, tc, existing, uuid, dataOf(c), incoming);
            codec.apply(tc, existing, dataOf(c), incoming, resolver(em));
            if (c.updatedAt() != null && c.updatedAt().isAfter(existing.getUpdatedAt())) {
                existing.setUpdatedAt(c.updatedAt());
            }
            capture.markIncoming(uuid, origin, null);
            capture.queue(stateRow(tc.info().name(), existing, origin, Wire.now()));
            resolution = Resolution.MERGED;
            if (history) {
                record(em, versionId, tc, uuid, origin, c, dataOf(c), serverData, resolution, false);
            }
        } else if (strategy == ConflictStrategy.TIMESTAMP_WINS && c.updatedAt() != null
                && c.updatedAt().isAfter(existing.getUpdatedAt())) {
            checkRules(em, tc, existing, uuid, dataOf(c), null);
            codec.apply(tc, existing, dataOf(c), null, resolver(em));
            existing.setUpdatedAt(c.updatedAt());
            capture.markIncoming(uuid, origin, null);
            // the versions it beat may still be queued for the origin: the final state follows them
            capture.queue(stateRow(tc.info().name(), existing, origin, Wire.now()));
            resolution = Resolution.CLIENT_WINS;
            if (history) {
                String loserSource = conflicting.get(conflicting.size() - 1).originNode;
                VersionHistoryRow h = record(em, versionId, tc, uuid, loserSource, c, serverData, dataOf(c), resolution, false);
                h.versionUpdatedAt = conflicting.get(conflicting.size() - 1).updatedAt;
            }
        } else if (strategy == ConflictStrategy.MANUAL) {
            record(em, versionId, tc, uuid, origin, c, dataOf(c), serverData, Resolution.MANUAL_PENDING, true);
            capture.queue(stateRow(tc.info().name(), existing, origin, Wire.now()));
            resolution = Resolution.MANUAL_PENDING;
        } else {
            if (history) {
                record(em, versionId, tc, uuid, origin, c, dataOf(c), serverData, Resolution.SERVER_WINS, false);
            }
            capture.queue(stateRow(tc.info().name(), existing, origin, Wire.now()));
            resolution = Resolution.SERVER_WINS;
        }
        o.processed++;
        o.conflicts.add(new ConflictReport(versionId, tc.info().name(), uuid, resolution));
    }

    /**
     * Checks the domain's rules on what the entity would become, before anything of it
     * changes: a violation is this change's error and leaves the entity as it was.
     */
    private void checkRules(EntityManager em, TypeCodec tc, SyncEntity existing, String uuid, ObjectNode data,
            Set<String> only) {
        checkRules(em, tc, existing, uuid, data, only, null);
    }

    private void checkRules(EntityManager em, TypeCodec tc, SyncEntity existing, String uuid, ObjectNode data,
            Set<String> only, Map<String, SyncEntity> known) {
        if (!overridesValidate(tc.info().type())) {
            return;
        }
        SyncEntity candidate = instantiate(tc.info().type(), uuid);
        if (existing != null) {
            codec.apply(tc, candidate, codec.serialize(existing), null, resolver(em, known));
        }
        codec.apply(tc, candidate, data, only, resolver(em, known));
        List<String> problems = candidate.validate(validation(em, tc, uuid));
        if (!problems.isEmpty()) {
            throw new ApplyException("invalid_value", tc.info().name() + ": " + String.join("; ", problems));
        }
    }

    private final Map<Class<?>, Boolean> validating = new ConcurrentHashMap<>();

    private boolean overridesValidate(Class<?> type) {
        return validating.computeIfAbsent(type, t -> {
            try {
                return t.getMethod("validate", org.trestle.sync.api.entity.Validation.class).getDeclaringClass() != SyncEntity.class;
            } catch (NoSuchMethodException e) {
                return false;
            }
        });
    }

    private org.trestle.sync.api.entity.Validation validation(EntityManager em, TypeCodec tc, String uuid) {
        String entity = entityName(tc.info());
        return new org.trestle.sync.api.entity.Validation() {
            @Override
            public boolean isUnique(String attribute, Object value) {
                checkAttribute(tc, attribute);
                return queries.of(em, "select count(e) from " + entity + " e where e.deleted = false and e." + attribute
                        + " = :v and e.uuid <> :u", Long.class).setParameter("v", value).setParameter("u", uuid)
                        .setFlushMode(jakarta.persistence.FlushModeType.COMMIT).getSingleResult() == 0;
            }

            @Override
            public boolean isUniqueWithin(String attribute, Object value, String scopeAttribute, Object scopeValue) {
                checkAttribute(tc, attribute);
                checkAttribute(tc, scopeAttribute);
                return queries.of(em, "select count(e) from " + entity + " e where e.deleted = false and e." + attribute
                        + " = :v and e." + scopeAttribute + " = :s and e.uuid <> :u", Long.class).setParameter("v", value)
                        .setParameter("s", scopeValue).setParameter("u", uuid)
                        .setFlushMode(jakarta.persistence.FlushModeType.COMMIT).getSingleResult() == 0;
            }
        };
    }

    private static void checkAttribute(TypeCodec tc, String attribute) {
        if (!tc.byName().containsKey(attribute)) {
            throw new IllegalArgumentException(tc.info().name() + " has no attribute " + attribute);
        }
    }

    /**
     * Checks an entity against its domain rules, as a user interface does before saving.
     *
     * @return one message per broken rule; empty when valid
     */
    public List<String> validate(SyncEntity entity) {
        TypeCodec tc = codec.typeOf(entity.getClass());
        if (tc == null) {
            throw new IllegalArgumentException(entity.getClass().getName() + " is not a synchronized entity type");
        }
        return read(em -> entity.validate(validation(em, tc, entity.getUuid() == null ? "" : entity.getUuid())));
    }

    private static ObjectNode dataOf(Change c) {
        if (c.data() == null) {
            throw new ApplyException("invalid_value", "the change carries no data");
        }
        return c.data();
    }

    private VersionHistoryRow record(EntityManager em, String versionId, TypeCodec tc, String uuid, String source,
            Change c, ObjectNode data, ObjectNode other, Resolution resolution, boolean open) {
        VersionHistoryRow h = new VersionHistoryRow();
        h.versionId = versionId;
        h.entityType = tc.info().name();
        h.entityUuid = uuid;
        h.sourceNode = source;
        h.arrivedAt = Wire.now();
        h.versionUpdatedAt = c.updatedAt();
        h.data = data == null ? null : data.toString();
        h.otherData = other == null ? null : other.toString();
        h.resolution = resolution.wireName();
        h.open = open;
        em.persist(h);
        return h;
    }

    private SyncChangeRow stateRow(String type, SyncEntity e, String target, Instant now) {
        SyncChangeRow row = new SyncChangeRow();
        row.entityType = type;
        row.entityUuid = e.getUuid();
        row.operation = Operation.UPDATE.name();
        row.updatedAt = e.getUpdatedAt();
        row.data = codec.serialize(e).toString();
        row.originNode = selfId;
        row.targetNode = target;
        row.createdAt = now;
        return row;
    }

    private boolean hasUnacknowledgedLocalChange(EntityManager em, String uuid) {
        SyncNodeRow master = em.find(SyncNodeRow.class, serverId);
        long acked = master == null ? 0 : master.ackedSeq;
        return queries.of(em, "select count(r) from SyncChangeRow r where r.entityUuid = :u and r.originNode = :s "
                + "and r.seq > :a", Long.class).setParameter("u", uuid).setParameter("s", selfId)
                .setParameter("a", acked).getSingleResult() > 0;
    }

    private BiFunction<Class<? extends SyncEntity>, String, SyncEntity> resolver(EntityManager em) {
        return resolver(em, null);
    }

    /** References resolve from the entities already looked up for the packet first. */
    private BiFunction<Class<? extends SyncEntity>, String, SyncEntity> resolver(EntityManager em,
            Map<String, SyncEntity> known) {
        return (type, uuid) -> {
            SyncEntity k = known == null ? null : known.get(uuid);
            return type.isInstance(k) ? k : em.find(type, uuid);
        };
    }

    private static SyncEntity instantiate(Class<? extends SyncEntity> type, String uuid) {
        try {
            SyncEntity e = type.getDeclaredConstructor().newInstance();
            e.setUuid(uuid);
            return e;
        } catch (ReflectiveOperationException e) {
            throw new ApplyException("apply_failed", type.getName() + " cannot be instantiated: " + e);
        }
    }

    private void defer(EntityManager em, String sender, Change c, String missing) {
        DeferredRow d = new DeferredRow();
        d.id = UUID.randomUUID().toString();
        d.sender = sender;
        d.seq = c.seq();
        d.entityUuid = c.entityUuid();
        d.missingUuid = missing;
        d.change = PacketCodec.changeToTree(c).toString();
        d.receivedAt = Wire.now();
        em.persist(d);
        // later changes of this packet look deferred changes up by query
        em.flush();
    }

    /** A newer version of the entity arrived: older held versions of it are obsolete. */
    private void dropDeferredFor(EntityManager em, String uuid) {
        for (DeferredRow d : queries.of(em, "select d from DeferredRow d where d.entityUuid = :u", DeferredRow.class)
                .setParameter("u", uuid).getResultList()) {
            em.remove(d);
        }
    }

    /** Applies the changes that were waiting for this entity. */
    private void releaseDeferred(EntityManager em, String uuid, Outcome o) {
        List<DeferredRow> waiting = queries.of(em, "select d from DeferredRow d where d.missingUuid = :u "
                + "order by d.receivedAt, d.seq", DeferredRow.class).setParameter("u", uuid).getResultList();
        for (DeferredRow d : waiting) {
            em.remove(d);
            Change c;
            try {
                c = packets.fromTree(wrap(d.change)).changes().get(0);
            } catch (RuntimeException e) {
                continue;
            }
            SyncNodeRow sender = em.find(SyncNodeRow.class, d.sender);
            TypeCodec tc = codec.type(c.entityType());
            if (sender == null || tc == null) {
                continue;
            }
            try {
                Outcome released = new Outcome();
                released.deferredExist = true;
                apply(em, d.sender, seenSeq(em, sender, c.base()), tc, c, released);
            } catch (ApplyException e) {
                deadLetter(em, d.sender, c, e.code, e.getMessage(), o);
            } catch (MissingReferenceException m) {
                defer(em, d.sender, c, m.missingUuid);
            }
        }
    }

    private JsonNode wrap(String change) {
        try {
            ObjectNode root = packets.mapper().createObjectNode();
            root.put("protocol", 1).put("schema_version", settings.schemaVersion()).put("sender", "x").put("target", "x")
                    .put("packet_no", 1).put("ack", 0).put("created_at", Wire.format(Wire.now())).put("has_more", false);
            root.putArray("changes").add(packets.mapper().readTree(change));
            return root;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void deadLetter(EntityManager em, String sender, Change c, String code, String message, Outcome o) {
        DeadLetterRow d = new DeadLetterRow();
        d.id = UUID.randomUUID().toString();
        d.sender = sender;
        d.seq = c.seq();
        d.entityType = Wire.abbreviate(c.entityType());
        d.entityUuid = Wire.abbreviate(c.entityUuid());
        d.error = code;
        d.message = message.length() > 2000 ? message.substring(0, 2000) : message;
        d.change = PacketCodec.changeToTree(c).toString();
        d.receivedAt = Wire.now();
        em.persist(d);
        o.errors.add(new ChangeError(c.seq(), c.entityType(), c.entityUuid(), code, message));
    }

    /** @return how many manual conflicts wait for a person (one count query) */
    public long openConflictCount() {
        return read(em -> em.createQuery("select count(h) from VersionHistoryRow h where h.open = true", Long.class)
                .getSingleResult());
    }

    /** @return how many received changes could not be applied (one count query) */
    public long deadLetterCount() {
        return read(em -> em.createQuery("select count(d) from DeadLetterRow d", Long.class).getSingleResult());
    }

    /** @return how many other nodes this node knows (one count query) */
    public long peerCount() {
        return read(em -> em.createQuery("select count(n) from SyncNodeRow n where n.self = false", Long.class)
                .getSingleResult());
    }

    /** @return the changes kept because they could not be applied, newest last */
    public List<ChangeError> deadLetters() {
        return read(em -> em.createQuery("select d from DeadLetterRow d order by d.receivedAt", DeadLetterRow.class)
                .getResultList().stream().map(d -> new ChangeError(d.seq, d.entityType, d.entityUuid, d.error, d.message))
                .toList());
    }

    /** @return how many received changes wait for an entity they reference */
    public long deferredCount() {
        return read(em -> em.createQuery("select count(d) from DeferredRow d", Long.class).getSingleResult());
    }

    /**
     * A client records the conflicts the server reported for its changes, with its own
     * version, so that a person can resolve them here.
     */
    public void recordConflicts(List<ConflictReport> reports) {
        if (reports.isEmpty()) {
            return;
        }
        inTx(em -> {
            for (ConflictReport r : reports) {
                if (em.find(VersionHistoryRow.class, r.versionId()) != null) {
                    continue;
                }
                TypeCodec tc = codec.type(r.entityType());
                SyncEntity local = tc == null ? null : em.find(tc.info().type(), r.entityUuid());
                VersionHistoryRow h = new VersionHistoryRow();
                h.versionId = r.versionId();
                h.entityType = r.entityType();
                h.entityUuid = r.entityUuid();
                h.sourceNode = selfId;
                h.arrivedAt = Wire.now();
                h.versionUpdatedAt = local == null ? null : local.getUpdatedAt();
                h.data = local == null ? null : codec.serialize(local).toString();
                h.resolution = r.resolution().wireName();
                h.open = r.resolution() == Resolution.MANUAL_PENDING;
                em.persist(h);
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- conflicts

    @Override
    public ConflictStrategy defaultStrategy() {
        return settings.defaultStrategy();
    }

    @Override
    public ConflictStrategy strategyFor(String entityType) {
        TypeCodec tc = codec.type(entityType);
        return tc == null ? settings.defaultStrategy() : tc.info().strategy();
    }

    @Override
    public List<ConflictRecord> openConflicts() {
        return read(em -> em.createQuery("select h from VersionHistoryRow h where h.open = true order by h.arrivedAt",
                VersionHistoryRow.class).getResultList().stream().map(this::toRecord).toList());
    }

    @Override
    public List<ConflictRecord> history(String entityType, String entityUuid) {
        return read(em -> em.createQuery("select h from VersionHistoryRow h where h.entityType = :t and h.entityUuid = :u "
                + "order by h.arrivedAt", VersionHistoryRow.class).setParameter("t", entityType)
                .setParameter("u", entityUuid).getResultList().stream().map(this::toRecord).toList());
    }

    private ConflictRecord toRecord(VersionHistoryRow h) {
        return new ConflictRecord(h.versionId, h.entityType, h.entityUuid, h.sourceNode, h.arrivedAt, parse(h.data),
                parse(h.otherData), Resolution.fromWireName(h.resolution), h.open);
    }

    private ObjectNode parse(String json) {
        if (json == null) {
            return null;
        }
        try {
            return (ObjectNode) packets.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    @Override
    public void resolve(String versionId, ObjectNode data) {
        inTx(em -> {
            VersionHistoryRow h = em.find(VersionHistoryRow.class, versionId);
            if (h == null || !h.open) {
                throw new IllegalArgumentException("there is no open conflict " + versionId);
            }
            TypeCodec tc = codec.type(h.entityType);
            SyncEntity entity = tc == null ? null : em.find(tc.info().type(), h.entityUuid);
            if (entity == null) {
                throw new IllegalArgumentException("the entity of conflict " + versionId + " is not here");
            }
            try {
                codec.apply(tc, entity, data, null, resolver(em));
            } catch (ApplyException e) {
                throw new IllegalArgumentException(e.getMessage());
            } catch (MissingReferenceException e) {
                throw new IllegalArgumentException("the resolution " + e.getMessage());
            }
            if (entity.isDeleted()) {
                throw new IllegalArgumentException("the entity of conflict " + versionId + " was deleted meanwhile");
            }
            entity.setUpdatedAt(Wire.now());
            capture.markResolution(entity.getUuid(), versionId);
            h.open = false;
            h.resolution = Resolution.RESOLVED.wireName();
            h.resolvedAt = Wire.now();
            return null;
        });
    }

    private static void closeConflict(EntityManager em, String versionId) {
        VersionHistoryRow h = em.find(VersionHistoryRow.class, versionId);
        if (h != null && h.open) {
            h.open = false;
            h.resolution = Resolution.RESOLVED.wireName();
            h.resolvedAt = Wire.now();
        }
    }

    // ---------------------------------------------------------------- helpers

    private void requireSelf() {
        if (selfId == null) {
            throw new IllegalStateException("this node is not set up yet: initialize it as server or client");
        }
    }

    private ReentrantLock nodeLock(String nodeId) {
        return nodeLocks.computeIfAbsent(nodeId, k -> new ReentrantLock());
    }

    private static void checkCode(String code) {
        if (code == null || !CODE.matcher(code).matches()) {
            throw new IllegalArgumentException("invalid node code '" + Wire.abbreviate(code)
                    + "': 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }

    private static SyncNodeRow newNode(String id, String code, String name) {
        SyncNodeRow n = new SyncNodeRow();
        n.nodeId = id;
        n.code = code;
        n.name = name;
        n.createdAt = Wire.now();
        return n;
    }

    private static SyncNodeRow selfRow(EntityManager em) {
        List<SyncNodeRow> rows = em.createQuery("select n from SyncNodeRow n where n.self = true", SyncNodeRow.class)
                .getResultList();
        return rows.isEmpty() ? null : rows.get(0);
    }

    private String entityName(EntityTypeInfo t) {
        return emf.getMetamodel().entity(t.type()).getName();
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }

    /** Runs work in one transaction; rolls back on any failure. */
    public <T> T inTx(Function<EntityManager, T> work) {
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

    /** Runs read-only work. */
    public <T> T read(Function<EntityManager, T> work) {
        EntityManager em = emf.createEntityManager();
        try {
            return work.apply(em);
        } finally {
            em.close();
        }
    }
}
