package org.trestle.sync.core.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.EntityManager;

import org.eclipse.persistence.internal.databaseaccess.DatabasePlatform;
import org.eclipse.persistence.internal.sessions.AbstractSession;
import org.eclipse.persistence.sessions.Session;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;
import org.trestle.sync.core.internal.model.LoadStageRow;
import org.trestle.sync.persistence.BulkRows;

/**
 * Writes the initial load a client kept ({@link LoadStaging}) into the entity tables, a
 * type at a time, parents first, each with one statement the database writes in bulk
 * ({@link org.trestle.sync.persistence.LocalStore#insertInBulk}), the derived values of
 * the parents computed as their children stream past ({@link StreamedDerivations}). A
 * type the database refuses is applied the normal way instead, a kept row a transaction.
 * The rows of a type are decoded on a thread of their own ({@link KeptRows}).
 */
final class KeptLoadWriter {

    /** Applies kept changes the normal way. */
    interface Replay {
        /** Applies the changes in the transaction of {@code em}. */
        void apply(EntityManager em, List<Change> changes);

        /** Keeps a change the database refused aside, with why, in the transaction of {@code em}. */
        void refused(EntityManager em, Change change, String why);
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KeptLoadWriter.class);

    private final EngineState state;
    private final Replay replay;

    KeptLoadWriter(EngineState state, Replay replay) {
        this.state = state;
        this.replay = replay;
    }

    /**
     * Writes what is kept into the entity tables, a type at a time, parents first.
     *
     * @return how many entities were written
     */
    long write() {
        long t0 = System.nanoTime();
        Long kept = state.read(em -> em.createQuery("select sum(s.entityCount) from LoadStageRow s", Long.class)
                .getSingleResult());
        Progress progress = new Progress(kept == null ? 0 : kept);
        LOG.info("Writing the initial load's {} kept entities", progress.total);
        progress.tell();
        Map<String, Long> written = new LinkedHashMap<>();
        try {
            for (EntityTypeInfo t : state.types) {
                long n = state.read(em -> em.createQuery("select count(s) from LoadStageRow s where s.entityType = :t",
                        Long.class).setParameter("t", t.name()).getSingleResult());
                if (n == 0) {
                    continue;
                }
                long before = progress.written;
                long count;
                try {
                    count = state.inTx(em -> writeType(em, t, progress));
                } catch (RuntimeException e) {
                    LOG.warn("The initial load's {} could not be written in bulk ({}); they are applied the normal way",
                            t.name(), EngineState.rootMessage(e));
                    progress.written = before; // the type's transaction was rolled back
                    count = replayType(t, progress);
                }
                written.put(t.name(), count);
            }
            // parents were read on the way, before their derived values were written
            state.emf.getCache().evictAll();
        } finally {
            state.bulk.announce(written);
        }
        long all = written.values().stream().mapToLong(Long::longValue).sum();
        progress.end();
        LOG.info("The initial load's {} entities were written in {} ms", all, (System.nanoTime() - t0) / 1_000_000);
        return all;
    }

    /**
     * How far the writing has come, told to the listeners about every hundredth of the load
     * and logged every tenth.
     */
    private final class Progress {
        final long total;
        private final long step;
        private final long logStep;
        long written;
        private long nextTell;
        private long nextLog;

        Progress(long total) {
            this.total = total;
            this.step = Math.max(1_000, total / 100);
            this.logStep = Math.max(10_000, total / 10);
            this.nextTell = step;
            this.nextLog = logStep;
        }

        void add(long n) {
            written += n;
            if (written >= nextTell && written < total) {
                nextTell = written + step;
                tell();
            }
            if (written >= nextLog && written < total) {
                nextLog = written + logStep;
                LOG.info("Writing the initial load: {} of {} entities written", written, total);
            }
        }

        void tell() {
            state.bulk.written(Math.min(written, total), total);
        }

        void end() {
            written = total;
            tell();
        }
    }

    /** Applies a type's kept changes the normal way, a kept row a transaction. */
    private long replayType(EntityTypeInfo t, Progress progress) {
        long count = 0;
        for (;;) {
            List<LoadStageRow> next = state.read(em -> em.createQuery(
                    "select s from LoadStageRow s where s.entityType = :t order by s.firstSeq", LoadStageRow.class)
                    .setParameter("t", t.name()).setMaxResults(1).getResultList());
            if (next.isEmpty()) {
                return count;
            }
            LoadStageRow row = next.get(0);
            List<Change> changes = KeptRows.changesOf(state, row);
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
            progress.add(row.entityCount);
        }
    }

    private static void forget(EntityManager em, LoadStageRow row) {
        em.createQuery("delete from LoadStageRow s where s.firstSeq = :s").setParameter("s", row.firstSeq).executeUpdate();
    }

    /** Writes the kept changes of one type in the transaction of {@code em}; @return how many */
    private long writeType(EntityManager em, EntityTypeInfo t, Progress progress) {
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
            KeptRows rows = new KeptRows(state, reader, tc, insert, session, active, progress::add);
            try (rows) {
                if (!state.store.insertInBulk(connection, insert.table(), insert.columns(), rows)) {
                    batched(connection, insert, rows, active);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            rows.derivations().finish(em, active, connection);
            em.createQuery("delete from LoadStageRow s where s.entityType = :t").setParameter("t", t.name())
                    .executeUpdate();
            return rows.count();
        } finally {
            reader.close();
        }
    }

    /** The rows inserted with batched statements, where the database has no bulk way. */
    private static void batched(Connection connection, BulkWriter.Insert insert, KeptRows rows, AbstractSession active)
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
}
