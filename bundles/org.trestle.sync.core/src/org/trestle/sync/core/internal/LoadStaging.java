package org.trestle.sync.core.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import jakarta.persistence.EntityManager;

import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;
import org.trestle.sync.core.internal.model.LoadStageRow;

import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * A client's initial load into empty tables, written a table at a time.
 * <p>
 * While the client's entity tables are empty, the load's packets are not written into
 * them as they come: each packet's inserts are kept compressed in {@code SYNC_LOAD_STAGE},
 * in the transaction that acknowledges the packet, so that the load resumes after a kill
 * at any point. When the load ends (a packet that says nothing more follows, or one that
 * brings anything but new entities), the kept rows are written type by type, parents
 * first, each type with one statement the database writes in bulk ({@link KeptLoadWriter}).
 * Each type commits with the deletion of its kept rows; the listeners hear once.
 */
final class LoadStaging {

    private final EngineState state;
    private final KeptLoadWriter writer;
    /** Whether rows are kept, when known. */
    private volatile Boolean kept;
    /** Set once an entity table held a row: from then on nothing is kept (the tables never were all empty again). */
    private volatile boolean tablesHeldRows;

    LoadStaging(EngineState state, KeptLoadWriter writer) {
        this.state = state;
        this.writer = writer;
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
        Map<String, Boolean> typeFits = new HashMap<>();
        for (Change c : p.changes()) {
            TypeCodec tc = state.codec.type(c.entityType());
            if (tc == null || c.operation() != Operation.INSERT || c.data() == null || c.resolves() != null
                    || !typeFits.computeIfAbsent(c.entityType(), t -> fits(tc, p))) {
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

    /** Whether a type's changes in a packet can be kept: the sender's version is this node's, and its rows are one plain table. */
    private boolean fits(TypeCodec tc, Packet p) {
        if (!BulkWriter.sameVersion(tc, TypeVersioning.theirs(p.types(), tc.info().name()))) {
            return false;
        }
        EntityManager em = state.emf.createEntityManager();
        try {
            return state.bulk.plan(em, tc.info().type()).insert() != null;
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

    /**
     * Writes what is kept into the entity tables under the apply lock, as a client's engine
     * opens: a load kept whole but stopped before it was written.
     *
     * @return how many entities were written
     */
    long writeWhenOpened() {
        if (state.isServer() || !hasKept()) {
            return 0;
        }
        state.applyLock.lock();
        try {
            return write();
        } finally {
            state.applyLock.unlock();
        }
    }

    /**
     * Writes what is kept into the entity tables, a type at a time, parents first; the
     * caller holds the apply lock.
     *
     * @return how many entities were written
     */
    long write() {
        if (!hasKept()) {
            return 0;
        }
        long written = writer.write();
        kept = false;
        return written;
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
