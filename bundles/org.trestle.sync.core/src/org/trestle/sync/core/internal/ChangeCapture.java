package org.trestle.sync.core.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

import org.eclipse.persistence.descriptors.DescriptorEvent;
import org.eclipse.persistence.descriptors.DescriptorEventAdapter;
import org.eclipse.persistence.internal.sessions.AbstractSession;
import org.eclipse.persistence.internal.sessions.UnitOfWorkImpl;
import org.eclipse.persistence.sessions.SessionEvent;
import org.eclipse.persistence.sessions.SessionEventAdapter;
import org.eclipse.persistence.sessions.changesets.ObjectChangeSet;
import org.eclipse.persistence.sessions.changesets.UnitOfWorkChangeSet;
import org.trestle.sync.api.entity.EntityIds;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Wire;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;
import org.trestle.sync.core.internal.model.SyncChangeRow;

/**
 * Captures every insert, update and delete of a synchronized entity, whatever code made
 * it through JPA, into the change log in the same transaction.
 * <p>
 * While EclipseLink computes a unit of work's change set, the changed entities are
 * noted. Just before the database transaction commits, a change-log row is written for
 * each, numbered from the log's state row ({@link LogState}), whose lock the transaction
 * holds until it ends: rows therefore become visible in {@code seq} order, in one process
 * or several on one database, which is what lets receivers skip everything at or below
 * the highest {@code seq} they applied. In-process, a commit lock taken after the row's
 * keeps the log's tail in memory in the same order.
 */
final class ChangeCapture extends SessionEventAdapter {

    /** Who made a change that is being applied from a packet, rather than edited here. */
    record Incoming(String origin, String resolves) {
    }

    private static final class Pending {
        final String type;
        final SyncEntity entity;
        Operation operation;
        Set<String> changed; // null: the whole entity

        Pending(String type, SyncEntity entity, Operation operation, Set<String> changed) {
            this.type = type;
            this.entity = entity;
            this.operation = operation;
            this.changed = changed;
        }
    }

    private static final class TxState {
        final Map<String, Pending> entries = new LinkedHashMap<>();
        final List<SyncChangeRow> extra = new ArrayList<>();
        final Map<String, Incoming> incoming = new HashMap<>();
        final Map<String, String> resolutions = new HashMap<>();
        final Set<String> hardDeleted = new LinkedHashSet<>();
        /** Entities removed because they left this node's scope: no change, no tombstone. */
        final Set<String> evicted = new HashSet<>();
        /** Rows other processes committed just before this transaction's seqs, for the tail too. */
        final List<SyncChangeRow> before = new ArrayList<>();
        /** The log rows this transaction wrote, for the tail once it has committed. */
        final List<SyncChangeRow> written = new ArrayList<>();
        boolean locked;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private final ThreadLocal<TxState> state = new ThreadLocal<>();
    private final ReentrantLock commitLock = new ReentrantLock(true);
    private final EngineContext engine;
    private final LogTail tail;

    /** @param lastSeq the highest seq committed when the engine opens */
    ChangeCapture(EngineContext engine, long lastSeq) {
        this.engine = engine;
        this.tail = new LogTail(lastSeq);
    }

    /** Where the log's most recent committed rows go. */
    LogTail tail() {
        return tail;
    }

    /** The log's rows addressed to a node up to a seq were deleted: the tail stops answering them. */
    void droppedAddressedTo(String nodeId, long upToSeq) {
        commitLock.lock();
        try {
            tail.dropAddressedTo(nodeId, upToSeq);
        } finally {
            commitLock.unlock();
        }
    }

    /** Forgets the log's tail, after the log's rows were changed other than by appending. */
    void forgetTail() {
        commitLock.lock();
        try {
            tail.forget(tail.lastCommitted());
        } finally {
            commitLock.unlock();
        }
    }

    /** Maintains uuid and updatedAt of synchronized entities. */
    final DescriptorEventAdapter timestamps = new DescriptorEventAdapter() {
        @Override
        public void prePersist(DescriptorEvent event) {
            if (event.getSource() instanceof SyncEntity e) {
                if (e.getUuid() == null) {
                    e.setUuid(EntityIds.newUuid());
                }
                if (!isIncoming(e.getUuid()) || e.getUpdatedAt() == null) {
                    e.setUpdatedAt(Wire.now());
                }
            }
        }

        @Override
        public void aboutToUpdate(DescriptorEvent event) {
            if (event.getSource() instanceof SyncEntity e && !isIncoming(e.getUuid())) {
                event.updateAttributeWithObject(SyncEntity.UPDATED_AT, Wire.now());
            }
        }
    };

    private TxState tx() {
        TxState s = state.get();
        if (s == null) {
            s = new TxState();
            state.set(s);
        }
        return s;
    }

    /** The entity is being written from a packet of {@code origin}: keep its updatedAt, do not echo it back. */
    void markIncoming(String uuid, String origin, String resolves) {
        tx().incoming.put(uuid, new Incoming(origin, resolves));
    }

    /** The entity is removed because it left this node's scope: nothing is logged of it, no tombstone kept. */
    void markEvicted(String uuid) {
        tx().evicted.add(uuid);
    }

    /** The local edit of the entity resolves an open conflict. */
    void markResolution(String uuid, String versionId) {
        tx().resolutions.put(uuid, versionId);
    }

    /** Writes an extra change-log row (for example a state addressed to one node) with this transaction. */
    void queue(SyncChangeRow row) {
        tx().extra.add(row);
    }

    boolean isIncoming(String uuid) {
        TxState s = state.get();
        return s != null && uuid != null && s.incoming.containsKey(uuid);
    }

    /** Lets entities recompute derived values before EclipseLink looks for changes. */
    @Override
    public void preCalculateUnitOfWorkChangeSet(SessionEvent event) {
        if (!(event.getSession() instanceof UnitOfWorkImpl uow)) {
            return;
        }
        for (Object clone : List.copyOf(uow.getCloneMapping().keySet())) {
            if (clone instanceof SyncEntity entity && !entity.isDeleted()) {
                entity.updateDerived();
            }
        }
    }

    @Override
    public void postCalculateUnitOfWorkChangeSet(SessionEvent event) {
        if (!(event.getProperty("UnitOfWorkChangeSet") instanceof UnitOfWorkChangeSet changes)) {
            return;
        }
        TxState s = tx();
        for (Object value : changes.getAllChangeSets().values()) {
            ObjectChangeSet change = (ObjectChangeSet) value;
            Object clone = changes.getUOWCloneForObjectChangeSet(change);
            if (!(clone instanceof SyncEntity entity)) {
                continue;
            }
            TypeCodec codec = engine.codec().typeOf(entity.getClass());
            if (codec == null) {
                continue;
            }
            if (change.isNew()) {
                note(s, codec.info().name(), entity, entity.isDeleted() ? Operation.DELETE : Operation.INSERT, null);
                continue;
            }
            Set<String> names = new LinkedHashSet<>(change.getChangedAttributeNames());
            boolean deletedChanged = names.remove(SyncEntity.DELETED);
            boolean deletedNow = deletedChanged && entity.isDeleted();
            // a deleted entity restored: its whole state goes out as an INSERT, the one change
            // that brings a deleted entity back on the nodes
            boolean restored = deletedChanged && !entity.isDeleted();
            // only synchronized attributes make a change: a collection that gained an element
            // (the other side of a reference) or a recomputed value is not one to send
            names.retainAll(codec.byName().keySet());
            names.removeAll(engine.codec().derivedNames(codec));
            if (deletedNow) {
                note(s, codec.info().name(), entity, Operation.DELETE, null);
            } else if (restored) {
                note(s, codec.info().name(), entity, Operation.INSERT, null);
            } else if (!names.isEmpty()) {
                note(s, codec.info().name(), entity, Operation.UPDATE, names);
            }
        }
        if (changes.getDeletedObjects() != null) {
            for (Object value : changes.getDeletedObjects().keySet()) {
                ObjectChangeSet change = (ObjectChangeSet) value;
                Object clone = changes.getUOWCloneForObjectChangeSet(change);
                if (clone instanceof SyncEntity entity && engine.codec().typeOf(entity.getClass()) != null
                        && !s.evicted.contains(entity.getUuid())) {
                    note(s, engine.codec().typeOf(entity.getClass()).info().name(), entity, Operation.DELETE, null);
                    s.hardDeleted.add(entity.getUuid());
                }
            }
        }
    }

    private static void note(TxState s, String type, SyncEntity entity, Operation op, Set<String> changed) {
        Pending p = s.entries.get(entity.getUuid());
        if (p == null) {
            s.entries.put(entity.getUuid(), new Pending(type, entity, op, changed == null ? null : new LinkedHashSet<>(changed)));
            return;
        }
        if (p.operation == Operation.DELETE) {
            return;
        }
        if (op == Operation.DELETE) {
            p.operation = Operation.DELETE;
        } else if (p.operation == Operation.UPDATE) {
            if (p.changed == null || changed == null) {
                p.changed = null;
            } else {
                p.changed.addAll(changed);
            }
        }
    }

    @Override
    public void preCommitTransaction(SessionEvent event) {
        TxState s = state.get();
        if (s == null || (s.entries.isEmpty() && s.extra.isEmpty())) {
            return;
        }
        Connection connection = connection(event);
        try {
            List<SyncChangeRow> rows = new ArrayList<>();
            Instant now = Wire.now();
            for (Map.Entry<String, Pending> e : s.entries.entrySet()) {
                Pending p = e.getValue();
                Incoming in = s.incoming.get(e.getKey());
                String origin = in != null ? in.origin() : engine.selfId();
                if (!engine.shouldLog(origin)) {
                    continue;
                }
                SyncChangeRow row = new SyncChangeRow();
                row.entityType = p.type;
                row.entityUuid = e.getKey();
                row.operation = p.operation.name();
                row.updatedAt = p.entity.getUpdatedAt();
                row.data = p.operation == Operation.DELETE ? null
                        : engine.withExtras(connection, e.getKey(), engine.codec().serialize(p.entity)).toString();
                row.changed = p.operation == Operation.UPDATE && p.changed != null ? String.join(",", p.changed) : null;
                row.originNode = origin;
                row.resolves = in != null ? in.resolves() : s.resolutions.get(e.getKey());
                row.base = in == null && !engine.isServer() ? LogWriter.base(connection, e.getKey(), engine.selfId(),
                        engine.serverId()) : null;
                row.createdAt = now;
                row.rootUuid = engine.isServer() ? engine.rootOf(p.entity) : null;
                rows.add(row);
            }
            // parents before children, children's deletes before their parents'
            rows.sort(java.util.Comparator.comparingInt(r -> Operation.DELETE.name().equals(r.operation)
                    ? Integer.MAX_VALUE / 2 - engine.typeRank(r.entityType) : engine.typeRank(r.entityType)));
            for (SyncChangeRow extra : s.extra) {
                if (extra.data != null && engine.keepsExtras()) {
                    extra.data = engine.withExtras(connection, extra.entityUuid,
                            (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(extra.data)).toString();
                }
            }
            rows.addAll(s.extra);
            if (!rows.isEmpty()) {
                // The seqs come from the log's state row, whose lock this transaction now holds
                // until it ends: transactions that log commit in seq order, in every process.
                // The commit lock is taken after the row's, never before, by every thread.
                long last = LogState.take(connection, rows.size());
                commitLock.lock();
                s.locked = true;
                long seq = last - rows.size();
                for (SyncChangeRow row : rows) {
                    row.seq = ++seq;
                }
                long known = tail.lastCommitted();
                long first = rows.get(0).seq;
                if (first - 1 > known) {
                    // rows committed before this transaction took its seqs that the tail was not
                    // told of: another process's, or of a commit whose outcome was not known
                    s.before.addAll(LogState.addresses(connection, known, first - 1));
                }
                LogWriter.insert(connection, rows);
                s.written.addAll(rows);
                engine.signal(connection);
            }
            if (!s.hardDeleted.isEmpty()) {
                Map<String, String> types = new LinkedHashMap<>();
                s.hardDeleted.forEach(uuid -> types.put(uuid, s.entries.get(uuid).type));
                LogWriter.tombstones(connection, types);
            }
        } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("The change log could not be written: " + e.getMessage(), e);
        }
    }

    /**
     * Tells the tail of the rows other processes committed up to {@code upTo} (which they
     * all have: the log's state row said so), and the listeners after it.
     */
    void catchUp(long upTo, java.util.function.LongFunction<List<SyncChangeRow>> readAfter) {
        List<SyncChangeRow> rows;
        commitLock.lock();
        try {
            long known = tail.lastCommitted();
            if (upTo <= known) {
                return;
            }
            rows = readAfter.apply(known);
            tail.committed(rows);
        } finally {
            commitLock.unlock();
        }
        engine.committed(rows);
    }

    private static Connection connection(SessionEvent event) {
        AbstractSession session = (AbstractSession) event.getSession();
        while (session.isUnitOfWork()) {
            session = session.getParent();
        }
        return (Connection) session.getAccessor().getConnection();
    }

    @Override
    public void postCommitTransaction(SessionEvent event) {
        end(true);
    }

    @Override
    public void postRollbackTransaction(SessionEvent event) {
        end(false);
    }

    private void end(boolean committed) {
        TxState s = state.get();
        state.remove();
        if (s != null && s.locked && commitLock.isHeldByCurrentThread()) {
            try {
                if (committed) {
                    tail.committed(s.before);
                    tail.committed(s.written);
                }
                // else: written, then failed, and whether the rows are in the log is not certain;
                // the tail stays as it was, and the next commit reads what came after it
            } finally {
                commitLock.unlock();
            }
            if (committed) {
                if (!s.before.isEmpty()) {
                    engine.committed(s.before);
                }
                engine.committed(s.written); // outside the lock: listeners may read
            }
        }
    }
}
