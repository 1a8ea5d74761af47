package org.trestle.sync.core.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.LongConsumer;

import jakarta.persistence.EntityManager;

import org.eclipse.persistence.internal.sessions.AbstractSession;
import org.eclipse.persistence.sessions.Session;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;
import org.trestle.sync.core.internal.model.LoadStageRow;
import org.trestle.sync.persistence.BulkRows;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The kept changes of one type ({@link LoadStaging}) as the rows of its table, for
 * {@link KeptLoadWriter}. A thread of its own reads the kept rows, decodes them into
 * entities and computes the derived values of their parents on the way (in the order they
 * were kept), a few kept rows ahead of the database, which takes them on the writing
 * thread: decoding and writing share the time of two cores instead of taking turns on one.
 */
final class KeptRows implements BulkRows, AutoCloseable {

    /** Kept rows decoded ahead of the database: each is at most a packet of entities. */
    private static final int AHEAD = 4;

    /** What the decoding thread hands over: entities, or the end (none), or why it stopped. */
    private record Decoded(List<SyncEntity> entities, RuntimeException failure) {
    }

    private final EngineState state;
    private final EntityManager reader;
    private final TypeCodec tc;
    private final BulkWriter.Insert insert;
    private final AbstractSession active;
    private final StreamedDerivations derivations;
    private final LongConsumer progress;
    private final BlockingQueue<Decoded> decoded = new ArrayBlockingQueue<>(AHEAD);
    private Thread decoder;
    private List<SyncEntity> entities = List.of();
    private int index;
    private boolean exhausted;
    private SyncEntity current;
    private long count;

    /**
     * @param reader   reads the kept rows and the parents, on the decoding thread only
     * @param progress told of each row the database takes
     */
    KeptRows(EngineState state, EntityManager reader, TypeCodec tc, BulkWriter.Insert insert, Session session,
            AbstractSession active, LongConsumer progress) {
        this.state = state;
        this.reader = reader;
        this.tc = tc;
        this.insert = insert;
        this.active = active;
        this.progress = progress;
        this.derivations = new StreamedDerivations(state, reader, tc, session);
    }

    /** @return the changes of a kept row */
    static List<Change> changesOf(EngineState state, LoadStageRow row) {
        try {
            JsonNode run = state.packets.mapper().readTree(Gzip.inflate(row.changes, Integer.MAX_VALUE - 8));
            List<Change> out = new ArrayList<>(run.size());
            for (JsonNode c : run) {
                out.add(PacketCodec.changeFromTree(c));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("the kept changes from seq " + row.firstSeq + " cannot be read", e);
        }
    }

    /** @return the derived values of the parents, computed as the rows went past */
    StreamedDerivations derivations() {
        return derivations;
    }

    /** @return how many rows the database took */
    long count() {
        return count;
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
                List<Change> changes = changesOf(state, page.get(0));
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
        progress.accept(1);
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
