package org.trestle.sync.core.internal;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.EntityManager;

import org.eclipse.persistence.internal.databaseaccess.DatabasePlatform;
import org.eclipse.persistence.internal.sessions.AbstractSession;
import org.eclipse.persistence.sessions.Session;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;
import org.trestle.sync.core.internal.model.LoadStageRow;
import org.trestle.sync.persistence.BulkRows;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Writes the initial load a client kept ({@link LoadStaging}) into the entity tables, a
 * type at a time, parents first, each with one statement the database writes in bulk
 * ({@link org.trestle.sync.persistence.LocalStore#insertInBulk}), the derived values of
 * the parents computed as their children stream past ({@link StreamedDerivations}). A
 * type the database refuses is applied the normal way instead, a kept row a transaction.
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
            Rows rows = new Rows(reader, tc, insert, session, active, progress);
            try (rows) {
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
     * The kept changes of one type as the rows of its table. A thread of its own reads the
     * kept rows, decodes them into entities and computes the derived values of their
     * parents on the way (in the order they were kept), a few kept rows ahead of the
     * database, which takes them on the writing thread: decoding and writing share the
     * time of two cores instead of taking turns on one.
     */
    private final class Rows implements BulkRows, AutoCloseable {
        /** Kept rows decoded ahead of the database: each is at most a packet of entities. */
        private static final int AHEAD = 4;
        /** What the decoding thread hands over: entities, or the end (none), or why it stopped. */
        private record Decoded(List<SyncEntity> entities, RuntimeException failure) {
        }

        private final EntityManager reader;
        private final TypeCodec tc;
        private final BulkWriter.Insert insert;
        private final AbstractSession active;
        final StreamedDerivations derivations;
        private final Progress progress;
        private final java.util.concurrent.BlockingQueue<Decoded> decoded =
                new java.util.concurrent.ArrayBlockingQueue<>(AHEAD);
        private Thread decoder;
        private List<SyncEntity> entities = List.of();
        private int index;
        private boolean exhausted;
        private SyncEntity current;
        long count;

        Rows(EntityManager reader, TypeCodec tc, BulkWriter.Insert insert, Session session, AbstractSession active,
                Progress progress) {
            this.reader = reader;
            this.progress = progress;
            this.tc = tc;
            this.insert = insert;
            this.active = active;
            this.derivations = new StreamedDerivations(state, reader, tc, session);
        }

        /** On the decoding thread: every kept row of the type in order, then the end. */
        private void decode() {
            Decoded last;
            try {
                long afterSeq = Long.MIN_VALUE;
                for (;;) {
                    List<LoadStageRow> page = reader.createQuery("select s from LoadStageRow s where s.entityType = :t"
                            + " and s.firstSeq > :after order by s.firstSeq", LoadStageRow.class)
                            .setParameter("t", tc.info().name()).setParameter("after", afterSeq).setMaxResults(1)
                            .getResultList();
                    reader.clear();
                    if (page.isEmpty()) {
                        break;
                    }
                    afterSeq = page.get(0).firstSeq;
                    List<Change> changes = changesOf(page.get(0));
                    List<SyncEntity> out = new ArrayList<>(changes.size());
                    for (Change c : changes) {
                        SyncEntity e = state.bulk.entityOf(c, tc, Map.of());
                        derivations.child(e, active);
                        out.add(e);
                    }
                    decoded.put(new Decoded(out, null));
                }
                derivations.endOfRows(active);
                last = new Decoded(null, null);
            } catch (InterruptedException e) {
                return; // the write stopped: nobody takes what follows
            } catch (RuntimeException e) {
                last = new Decoded(null, e);
            }
            try {
                decoded.put(last);
            } catch (InterruptedException e) {
                // the write stopped
            }
        }

        @Override
        public boolean next() {
            while (index >= entities.size()) {
                if (exhausted) {
                    current = null;
                    return false;
                }
                if (decoder == null) {
                    decoder = new Thread(this::decode, "trestle-load-decoder");
                    decoder.setDaemon(true);
                    decoder.start();
                }
                Decoded d;
                try {
                    d = decoded.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("the writing of the initial load was interrupted", e);
                }
                if (d.failure() != null) {
                    exhausted = true;
                    throw d.failure();
                }
                if (d.entities() == null) {
                    exhausted = true;
                    continue;
                }
                entities = d.entities();
                index = 0;
            }
            current = entities.get(index++);
            count++;
            progress.add(1);
            return true;
        }

        @Override
        public Object value(int column) {
            return BulkWriter.value(insert.mappings().get(column - 1), current, active);
        }

        /** Stops the decoding thread, when the database did not take every row, and waits for it. */
        @Override
        public void close() {
            if (decoder == null) {
                return;
            }
            decoder.interrupt();
            try {
                decoder.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
