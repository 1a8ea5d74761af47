package org.trestle.sync.core.internal;

import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;

import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.TypeMigration;
import org.trestle.sync.api.SyncProtocol;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.packet.Wire;
import org.trestle.sync.core.internal.model.SyncChangeRow;
import org.trestle.sync.core.internal.model.SyncNodeRow;
import org.trestle.sync.core.internal.model.SyncPacketRow;

/**
 * What is queued for each node and the packets built from it. The seqs queued for a node
 * come from the log's tail in memory when it holds the range, the rows themselves from
 * the cache of recently read changes.
 */
final class Outbox {

    private final EngineState state;
    private final EngineSettings settings;
    private final Queries queries;
    private final ChangeCapture capture;
    private final RecentChanges recent;

    /** The next page of the initial loads under way, read while the nodes apply the last. */
    private final LoadAhead ahead = new LoadAhead();

    Outbox(EngineState state) {
        this.state = state;
        this.settings = state.settings;
        this.queries = state.queries;
        this.capture = state.capture;
        this.recent = state.recent;
    }

    /** @return how many pages of initial loads were read ahead, and how many of them were sent */
    long[] loadPagesReadAhead() {
        return ahead.counts();
    }

    /** Stops reading loads ahead. */
    void close() {
        ahead.close();
    }

    List<Change> pendingChanges(String targetNodeId, int limit) {
        return state.read(em -> {
            SyncNodeRow n = em.find(SyncNodeRow.class, targetNodeId);
            return n == null ? List.<Change>of() : recent.load(em, queuedSeqs(em, n, limit, visibleSeq()));
        });
    }

    long pendingCount(String targetNodeId) {
        return state.read(em -> {
            SyncNodeRow n = em.find(SyncNodeRow.class, targetNodeId);
            return n == null ? 0L : count(em, n) + InitialLoad.remaining(n);
        });
    }

    /**
     * The seqs of the rows queued for a node up to a visible seq: which rows, without
     * reading them. Taken from the log's tail in memory when it holds the range.
     */
    private List<Long> queuedSeqs(EntityManager em, SyncNodeRow n, int limit, long upTo) {
        List<Long> held = capture.tail().queued(n.nodeId, n.ackedSeq, upTo, limit, state.nodeScopes.of(n.nodeId));
        if (held != null) {
            return held;
        }
        return queries.of(em, "select r.seq from SyncChangeRow r where r.seq > :acked and r.seq <= :upTo "
                + "and r.originNode <> :t and " + addressedTo(n) + " order by r.seq",
                Long.class).setParameter("acked", n.ackedSeq).setParameter("upTo", upTo)
                .setParameter("t", n.nodeId).setMaxResults(limit).getResultList();
    }

    /**
     * The JPQL condition on a log row {@code r} for it to be queued for node {@code :t}:
     * addressed to it, or to every node and of a global type or a root in its scope.
     */
    static String addressedTo(SyncNodeRow n) {
        if (!Boolean.FALSE.equals(n.scopeAll)) {
            return "(r.targetNode is null or r.targetNode = :t)";
        }
        return "(r.targetNode = :t or (r.targetNode is null and (r.rootUuid is null or r.rootUuid in "
                + "(select s.rootUuid from NodeScopeRow s where s.nodeId = :t))))";
    }

    /** @return the highest seq visible now; every row below it is visible too (capture numbers rows in commit order) */
    private long visibleSeq() {
        return capture.tail().lastCommitted();
    }

    /** @return the changes queued for the node above the highest seq its newest packet carried */
    long unsentCount(String targetNodeId) {
        return state.read(em -> {
            SyncNodeRow n = em.find(SyncNodeRow.class, targetNodeId);
            if (n == null) {
                return 0L;
            }
            SyncPacketRow last = em.find(SyncPacketRow.class, SyncPacketRow.key(n.nodeId, n.sentPacketNo));
            if (n.loadCursor != null && (last == null || !InitialLoad.DONE.equals(last.loadCursor))) {
                // the load is under way and its last packet did not end it
                return Math.max(1, InitialLoad.remaining(n));
            }
            long covered = Math.max(n.ackedSeq, last == null ? 0 : last.maxSeq);
            return em.createQuery("select count(r) from SyncChangeRow r where r.seq > :covered and r.originNode <> :t "
                    + "and " + addressedTo(n), Long.class)
                    .setParameter("covered", covered).setParameter("t", n.nodeId).getSingleResult();
        });
    }

    static long count(EntityManager em, SyncNodeRow n) {
        return em.createQuery("select count(r) from SyncChangeRow r where r.seq > :acked and r.originNode <> :t "
                + "and " + addressedTo(n), Long.class)
                .setParameter("acked", n.ackedSeq).setParameter("t", n.nodeId).getSingleResult();
    }

    Packet buildPacket(String targetNodeId) {
        state.requireSelf();
        ReentrantLock lock = state.nodeLock(targetNodeId);
        lock.lock();
        try {
            return state.inTx(em -> {
                // another process builds no packet for the node meanwhile, and this one reads
                // what the others committed up to now (after any scope change of the node); in
                // one process the node's lock orders its exchanges, and its counters are read
                // from the database, never from a cache that may hold them behind it
                SyncNodeRow n = state.shared ? em.find(SyncNodeRow.class, targetNodeId, LockModeType.PESSIMISTIC_WRITE)
                        : em.find(SyncNodeRow.class, targetNodeId, EngineState.FROM_DATABASE);
                if (n == null || n.self) {
                    throw new IllegalArgumentException("no such node: " + targetNodeId);
                }
                state.sharedLog.refresh(em);
                if (n.revoked) {
                    throw new IllegalStateException("node " + n.code + " is revoked");
                }
                int batch = settings.batchSize();
                if (n.loadCursor != null) {
                    return loadPacket(em, n, batch);
                }
                // Read the log's end first, then the rows up to it: when they all fit, the
                // packet covers the log up to that end, so acknowledging it moves the node
                // past rows meant for other nodes instead of reading them again each time.
                long upTo = visibleSeq();
                List<Long> seqs = queuedSeqs(em, n, batch + 1, upTo);
                boolean more = seqs.size() > batch;
                if (more) {
                    seqs = seqs.subList(0, batch);
                }
                record(em, n, more ? seqs.get(seqs.size() - 1) : Math.max(n.ackedSeq, upTo), seqs.size(), null);
                List<Change> changes = offset(forVersions(recent.load(em, seqs), n.typeVersionsMap()), n.seqOffset);
                return new Packet(SyncProtocol.PROTOCOL_VERSION, settings.schemaVersion(), state.selfId(), n.nodeId,
                        n.sentPacketNo, n.receivedPacketNo, n.lastSyncOut, more, changes, state.typeVersions);
            });
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next packet of a node's initial load, read from the tables after where the node
     * stands; the changes queued in the log for it follow the load's last packet.
     */
    private Packet loadPacket(EntityManager em, SyncNodeRow n, int batch) {
        Set<String> roots = state.nodeScopes.of(n.nodeId);
        InitialLoad.Page page = ahead.take(n.nodeId, n.loadCursor, roots, batch);
        if (page == null) {
            page = state.load.next(em, n.nodeId, n.loadCursor, batch, () -> loggedSince(em, n));
        }
        if (!page.finished()) {
            // the node acknowledges this page with its next exchange, which then asks for the next
            String nodeId = n.nodeId;
            String cursor = page.cursorAfter();
            ahead.start(nodeId, cursor, roots, batch, () -> state.read(read -> {
                SyncNodeRow now = read.find(SyncNodeRow.class, nodeId);
                return now == null ? new InitialLoad.Page(List.of(), cursor)
                        : state.load.next(read, nodeId, cursor, batch, () -> loggedSince(read, now));
            }));
        }
        List<Change> changes = page.changes();
        long maxSeq = n.ackedSeq;
        boolean more = !page.finished();
        if (page.finished()) {
            // the log's changes for the node follow in the room the load's end left
            int room = batch - changes.size();
            long upTo = visibleSeq();
            List<Long> seqs = queuedSeqs(em, n, room + 1, upTo);
            more = seqs.size() > room;
            if (more) {
                seqs = seqs.subList(0, room);
            }
            maxSeq = more ? (seqs.isEmpty() ? n.ackedSeq : seqs.get(seqs.size() - 1)) : Math.max(n.ackedSeq, upTo);
            if (!seqs.isEmpty()) {
                changes = new java.util.ArrayList<>(changes);
                changes.addAll(offset(recent.load(em, seqs), n.seqOffset));
            }
        }
        record(em, n, maxSeq, changes.size(), page.cursorAfter());
        return new Packet(SyncProtocol.PROTOCOL_VERSION, settings.schemaVersion(), state.selfId(), n.nodeId,
                n.sentPacketNo, n.receivedPacketNo, n.lastSyncOut, more, forVersions(changes, n.typeVersionsMap()),
                state.typeVersions);
    }

    /**
     * How many of the log's changes for a loading node are read to leave their entities out
     * of its load; beyond them (a very busy server), an entity may arrive twice, never not.
     */
    private static final int LOGGED_READ = 100_000;

    /**
     * @return the entities the log has a change of for the node, queued after where it
     *         stands: every such row the database holds committed, read after the page (a
     *         row committed but not yet reported to the tail counts, or its entity, read in
     *         the page, would come again from the log)
     */
    private Set<String> loggedSince(EntityManager em, SyncNodeRow n) {
        List<Long> seqs = queries.of(em, "select r.seq from SyncChangeRow r where r.seq > :acked "
                + "and r.originNode <> :t and " + addressedTo(n) + " order by r.seq", Long.class)
                .setParameter("acked", n.ackedSeq).setParameter("t", n.nodeId).setMaxResults(LOGGED_READ).getResultList();
        if (seqs.isEmpty()) {
            return Set.of();
        }
        Set<String> uuids = new java.util.HashSet<>();
        recent.load(em, seqs).forEach(c -> uuids.add(c.entityUuid()));
        return uuids;
    }

    /**
     * Numbers the node's next packet and records what it covers: the log up to
     * {@code maxSeq}, and where the node's initial load stands after it ({@code null}: no
     * part of the load).
     */
    private static void record(EntityManager em, SyncNodeRow n, long maxSeq, int changes, String loadCursor) {
        n.sentPacketNo++;
        n.lastSyncOut = Wire.now();
        SyncPacketRow log = new SyncPacketRow();
        log.targetNode = n.nodeId;
        log.packetNo = n.sentPacketNo;
        log.key = SyncPacketRow.key(n.nodeId, n.sentPacketNo);
        log.maxSeq = maxSeq;
        log.loadCursor = loadCursor;
        log.changeCount = changes;
        log.createdAt = n.lastSyncOut;
        em.persist(log);
    }

    /** The changes with their seqs as the node counts them: after its initial load's (see InitialLoad). */
    private static List<Change> offset(List<Change> changes, Long offset) {
        if (offset == null || offset == 0) {
            return changes;
        }
        List<Change> out = new java.util.ArrayList<>(changes.size());
        for (Change c : changes) {
            out.add(new Change(c.seq() + offset, c.entityType(), c.entityUuid(), c.operation(), c.updatedAt(), c.data(),
                    c.changed(), c.base(), c.resolves()));
        }
        return out;
    }

    /** The changes as the target's versions of their types have them, where it runs earlier ones. */
    private List<Change> forVersions(List<Change> changes, java.util.Map<String, String> theirs) {
        if (theirs.isEmpty()) {
            return changes;
        }
        List<Change> out = new java.util.ArrayList<>(changes.size());
        // worked out once per type: the versions compared, the migrations between them
        java.util.Map<String, List<TypeMigration>> byType = new java.util.HashMap<>();
        for (Change c : changes) {
            EntityCodec.TypeCodec tc = state.codec.type(c.entityType());
            List<TypeMigration> between = tc == null ? List.of()
                    : byType.computeIfAbsent(c.entityType(), type -> TypeMigrations.between(tc.info(), theirs.get(type)));
            out.add(between.isEmpty() ? c : TypeMigrations.down(tc.info(), between, c));
        }
        return out;
    }

    /** @return how many changes this node made itself (before registration: all waiting to be sent) */
    long localChangeCount() {
        return state.read(em -> em.createQuery("select count(r) from SyncChangeRow r where r.originNode = :s", Long.class)
                .setParameter("s", state.selfId() == null ? "" : state.selfId()).getSingleResult());
    }
}
