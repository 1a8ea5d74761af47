package org.trestle.sync.core.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import jakarta.persistence.EntityManager;

import org.eclipse.persistence.internal.databaseaccess.DatabasePlatform;
import org.eclipse.persistence.internal.sessions.AbstractSession;
import org.eclipse.persistence.sessions.Session;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;
import org.trestle.sync.core.internal.model.LoadStageRow;
import org.trestle.sync.persistence.BulkRows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * A client's initial load into empty tables, written a table at a time.
 * <p>
 * While the client's entity tables are empty, the load's packets are not written into
 * them as they come: each packet's inserts are kept compressed in {@code SYNC_LOAD_STAGE},
 * in the transaction that acknowledges the packet, so that the load resumes after a kill
 * at any point. When the load ends (a packet that says nothing more follows, or one that
 * brings anything but new entities), the kept rows are written type by type, parents
 * first, each type with one statement the database writes in bulk
 * ({@link org.trestle.sync.persistence.LocalStore#insertInBulk}: Derby then logs no row
 * and builds the indexes once, checking keys and references at the end). The derived
 * values of the parents are computed as their children stream past, a parent from a copy
 * holding its decoded children, and written with one batched update. Each type commits
 * with the deletion of its kept rows; the listeners hear of each type once.
 * <p>
 * Should the database refuse a type's rows (a reference to an entity the load did not
 * bring, an entity twice), its kept changes are applied the normal way instead, which
 * holds what waits for a reference and reports what is wrong, a change at a time.
 */
final class LoadStaging {

    /** Applies kept changes the normal way. */
    interface Replay {
        /** Applies the changes in the transaction of {@code em}. */
        void apply(EntityManager em, List<Change> changes);

        /** Keeps a change the database refused aside, with why, in the transaction of {@code em}. */
        void refused(EntityManager em, Change change, String why);
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LoadStaging.class);

    private final EngineState state;
    private final Replay replay;
    /** Whether rows are kept, when known. */
    private volatile Boolean kept;
    /** Set once an entity table held a row: from then on nothing is kept (the tables never were all empty again). */
    private volatile boolean tablesHeldRows;

    LoadStaging(EngineState state, Replay replay) {
        this.state = state;
        this.replay = replay;
    }

    /** @return whether load changes are kept, not yet written into the entity tables */
    boolean hasKept() {
        Boolean k = kept;
        if (k == null) {
            k = state.read(em -> !em.createQuery("select s.firstSeq from LoadStageRow s", Long.class).setMaxResults(1)
                    .getResultList().isEmpty());
            kept = k;
        }
        return k;
    }

    /**
     * Whether a packet could be kept, judged from the packet alone: changes, each inserting
     * an entity of a type this node runs in the sender's version, with only known attributes
     * and values of their kinds (a packet with others goes the normal way, which reports
     * them). A packet that could not ends the keeping: what is kept is written before it is
     * applied.
     */
    boolean couldKeep(Packet p) {
        if (state.isServer() || p.changes().isEmpty()) {
            return false;
        }
        for (Change c : p.changes()) {
            TypeCodec tc = state.codec.type(c.entityType());
            if (tc == null || c.operation() != Operation.INSERT || c.data() == null || c.resolves() != null
                    || !BulkWriter.sameVersion(tc, TypeVersioning.theirs(p.types(), tc.info().name()))
                    || plan(tc) == null) {
                return false;
            }
            for (var it = c.data().fieldNames(); it.hasNext();) {
                if (!tc.byName().containsKey(it.next())) {
                    return false;
                }
            }
            try {
                state.bulk.entityOf(c, tc, Map.of());
            } catch (BulkWriter.Refused r) {
                return false;
            }
        }
        return true;
    }

    private BulkWriter.Insert plan(TypeCodec tc) {
        EntityManager em = state.emf.createEntityManager();
        try {
            return state.bulk.plan(em, tc.info().type()).insert();
        } finally {
            em.close();
        }
    }

    /**
     * Whether a packet that {@link #couldKeep(Packet) could be kept} is kept instead of
     * written: on a node whose entity tables are all empty or whose load is being kept
     * already, holding no change that waits and no tombstone, none of its changes applied
     * before.
     */
    boolean accepts(EntityManager em, List<Change> changes, long appliedSeq, Outcome o) {
        if (o.deferredExist || !o.noTombstones || changes.isEmpty() || changes.get(0).seq() <= appliedSeq) {
            return false;
        }
        return hasKept() || tablesEmpty(em);
    }

    private boolean tablesEmpty(EntityManager em) {
        if (tablesHeldRows) {
            return false;
        }
        for (EntityTypeInfo t : state.types) {
            if (!em.createQuery("select e.uuid from " + state.entityName(t) + " e", String.class).setMaxResults(1)
                    .getResultList().isEmpty()) {
                tablesHeldRows = true;
                return false;
            }
        }
        return true;
    }

    /** Keeps a packet's changes, a row per run of one type, in the transaction of {@code em}. */
    void keep(EntityManager em, List<Change> changes) {
        int from = 0;
        while (from < changes.size()) {
            int to = from + 1;
            while (to < changes.size() && changes.get(to).entityType().equals(changes.get(from).entityType())) {
                to++;
            }
            ArrayNode run = state.packets.mapper().createArrayNode();
            for (Change c : changes.subList(from, to)) {
                run.add(PacketCodec.changeToTree(c));
            }
            LoadStageRow row = new LoadStageRow();
            row.firstSeq = changes.get(from).seq();
            row.entityType = changes.get(from).entityType();
            row.entityCount = to - from;
            row.changes = gzip(run);
            em.persist(row);
            from = to;
        }
        kept = true;
    }

    private byte[] gzip(ArrayNode run) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            state.packets.mapper().writeValue(out, run);
        } catch (IOException e) {
            throw new IllegalStateException("cannot compress a load's changes", e);
        }
        return bytes.toByteArray();
    }

    /** @return the changes of a kept row */
    private List<Change> changesOf(LoadStageRow row) {
        try {
            JsonNode run = state.packets.mapper().readTree(PacketCodec.inflateOf(row.changes, Integer.MAX_VALUE - 8));
            List<Change> out = new ArrayList<>(run.size());
            for (JsonNode c : run) {
                out.add(PacketCodec.changeFromTree(c));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("the kept changes from seq " + row.firstSeq + " cannot be read", e);
        }
    }

    /**
     * Writes what is kept into the entity tables, a type at a time, parents first.
     *
     * @return how many entities were written
     */
    long write() {
        if (!hasKept()) {
            return 0;
        }
        long t0 = System.nanoTime();
        Map<String, Long> written = new LinkedHashMap<>();
        try {
            for (EntityTypeInfo t : state.types) {
                long n = state.read(em -> em.createQuery("select count(s) from LoadStageRow s where s.entityType = :t",
                        Long.class).setParameter("t", t.name()).getSingleResult());
                if (n == 0) {
                    continue;
                }
                long count;
                try {
                    count = state.inTx(em -> writeType(em, t));
                } catch (RuntimeException e) {
                    LOG.warn("The initial load's {} could not be written in bulk ({}); they are applied the normal way",
                            t.name(), EngineState.rootMessage(e));
                    count = replayType(t);
                }
                written.put(t.name(), count);
            }
            kept = false;
            // parents were read on the way, before their derived values were written
            state.emf.getCache().evictAll();
        } finally {
            state.bulk.announce(written);
        }
        long all = written.values().stream().mapToLong(Long::longValue).sum();
        LOG.info("The initial load's {} entities were written in {} ms", all, (System.nanoTime() - t0) / 1_000_000);
        return all;
    }

    /** Applies a type's kept changes the normal way, a kept row a transaction. */
    private long replayType(EntityTypeInfo t) {
        long count = 0;
        for (;;) {
            List<LoadStageRow> next = state.read(em -> em.createQuery(
                    "select s from LoadStageRow s where s.entityType = :t order by s.firstSeq", LoadStageRow.class)
                    .setParameter("t", t.name()).setMaxResults(1).getResultList());
            if (next.isEmpty()) {
                return count;
            }
            LoadStageRow row = next.get(0);
            List<Change> changes = changesOf(row);
            try {
                state.inTx(em -> {
                    replay.apply(em, changes);
                    forget(em, row);
                    return null;
                });
            } catch (RuntimeException e) {
                // a change the database refuses: each on its own, the refused ones kept aside
                for (Change c : changes) {
                    try {
                        state.inTx(em -> {
                            replay.apply(em, List.of(c));
                            return null;
                        });
                    } catch (RuntimeException refused) {
                        state.inTx(em -> {
                            replay.refused(em, c, EngineState.rootMessage(refused));
                            return null;
                        });
                    }
                }
                state.inTx(em -> {
                    forget(em, row);
                    return null;
                });
            }
            count += row.entityCount;
        }
    }

    private static void forget(EntityManager em, LoadStageRow row) {
        em.createQuery("delete from LoadStageRow s where s.firstSeq = :s").setParameter("s", row.firstSeq).executeUpdate();
    }

    /** Writes the kept changes of one type in the transaction of {@code em}; @return how many */
    private long writeType(EntityManager em, EntityTypeInfo t) {
        TypeCodec tc = state.codec.type(t.name());
        BulkWriter.Insert insert = state.bulk.plan(em, tc.info().type()).insert();
        if (insert == null) {
            throw new IllegalStateException(t.name() + " cannot be written in bulk");
        }
        Session session = em.unwrap(Session.class);
        AbstractSession active = (AbstractSession) em.unwrap(org.eclipse.persistence.sessions.UnitOfWork.class);
        Connection connection = em.unwrap(Connection.class);
        EntityManager reader = state.emf.createEntityManager();
        try {
            Rows rows = new Rows(reader, tc, insert, session, active);
            try {
                if (!state.store.insertInBulk(connection, insert.table(), insert.columns(), rows)) {
                    batched(connection, insert, rows, active);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            rows.derivations.finish(em, active, connection);
            em.createQuery("delete from LoadStageRow s where s.entityType = :t").setParameter("t", t.name())
                    .executeUpdate();
            return rows.count;
        } finally {
            reader.close();
        }
    }

    /** The rows inserted with batched statements, where the database has no bulk way. */
    private static void batched(Connection connection, BulkWriter.Insert insert, Rows rows, AbstractSession active)
            throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(insert.sql())) {
            executeBatched(ps, rows, insert.columns().size(), active);
        }
    }

    /** Executes a statement once per row, its parameters the row's values, in batches of 1,000. */
    static void executeBatched(PreparedStatement ps, BulkRows rows, int columns, AbstractSession active)
            throws SQLException {
        DatabasePlatform platform = (DatabasePlatform) active.getDatasourcePlatform();
        int pending = 0;
        while (rows.next()) {
            for (int i = 1; i <= columns; i++) {
                platform.setParameterValueInDatabaseCall(rows.value(i), ps, i, active);
            }
            ps.addBatch();
            if (++pending == 1_000) {
                ps.executeBatch();
                pending = 0;
            }
        }
        if (pending > 0) {
            ps.executeBatch();
        }
    }

    /** @return rows of values held in memory */
    static BulkRows inMemory(List<Object[]> values) {
        return new BulkRows() {
            private int at = -1;

            @Override
            public boolean next() {
                return ++at < values.size();
            }

            @Override
            public Object value(int column) {
                return values.get(at)[column - 1];
            }
        };
    }

    /**
     * The kept changes of one type as the rows of its table, decoded a kept row at a time
     * as the database asks for them; the derived values of their parents computed on the way.
     */
    private final class Rows implements BulkRows {
        private final EntityManager reader;
        private final TypeCodec tc;
        private final BulkWriter.Insert insert;
        private final AbstractSession active;
        final StreamedDerivations derivations;
        private List<Change> changes = List.of();
        private int index;
        private long afterSeq = Long.MIN_VALUE;
        private boolean exhausted;
        private SyncEntity current;
        long count;

        Rows(EntityManager reader, TypeCodec tc, BulkWriter.Insert insert, Session session, AbstractSession active) {
            this.reader = reader;
            this.tc = tc;
            this.insert = insert;
            this.active = active;
            this.derivations = new StreamedDerivations(state, reader, tc, session);
        }

        @Override
        public boolean next() {
            while (index >= changes.size()) {
                if (exhausted) {
                    current = null;
                    return false;
                }
                List<LoadStageRow> page = reader.createQuery(
                        "select s from LoadStageRow s where s.entityType = :t and s.firstSeq > :after order by s.firstSeq",
                        LoadStageRow.class).setParameter("t", tc.info().name()).setParameter("after", afterSeq)
                        .setMaxResults(1).getResultList();
                reader.clear();
                if (page.isEmpty()) {
                    exhausted = true;
                    derivations.endOfRows(active);
                    continue;
                }
                afterSeq = page.get(0).firstSeq;
                changes = changesOf(page.get(0));
                index = 0;
            }
            current = state.bulk.entityOf(changes.get(index++), tc, Map.of());
            derivations.child(current, active);
            count++;
            return true;
        }

        @Override
        public Object value(int column) {
            return BulkWriter.value(insert.mappings().get(column - 1), current, active);
        }
    }

    /** For tests: the kept rows' entities, by type. */
    Map<String, Long> keptCounts() {
        return state.read(em -> {
            Map<String, Long> out = new HashMap<>();
            for (LoadStageRow r : em.createQuery("select s from LoadStageRow s", LoadStageRow.class).getResultList()) {
                out.merge(r.entityType, (long) r.entityCount, Long::sum);
            }
            return out;
        });
    }

}
