package org.trestle.sync.core.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jakarta.persistence.EntityManager;

/**
 * The most recently read rows of the change log, parsed, by seq.
 * <p>
 * Every node reads the same tail of the log: without this, each packet built for each
 * node read the same rows and their JSON again. What a change carries never changes
 * once its row is committed (a client's rebinding renames the origin, which is not part
 * of a change), so a cached change stays right. Its data is copied on the way out,
 * because a packet's data may be changed by whoever receives it.
 */
final class RecentChanges {

    /** Rows kept; a few thousand bytes each at most for typical entities. */
    static final int CAPACITY = 16_384;
    /** A run of missing seqs is read with one range query while the gaps in it stay below this. */
    private static final long MAX_GAP = 64;

    private final ObjectMapper mapper;
    private final Map<Long, Change> cache = new LinkedHashMap<>(1024, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Change> eldest) {
            return size() > CAPACITY;
        }
    };

    /** Rows at or below this seq may have been pruned as superseded: a packet skips them. */
    private volatile long prunedUpTo;

    RecentChanges(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Rows up to this seq may be pruned from now on: a later row of the same entity carries its state. */
    void prunedUpTo(long seq) {
        if (seq > prunedUpTo) {
            prunedUpTo = seq;
        }
    }

    /** Forgets every row kept: another process deleted rows from the log. */
    void clear() {
        synchronized (cache) {
            cache.clear();
        }
    }

    long prunedUpTo() {
        return prunedUpTo;
    }

    /** @return the changes with these seqs (ascending), in the same order, less those pruned meanwhile as superseded */
    List<Change> load(EntityManager em, List<Long> seqs) {
        Map<Long, Change> found = new HashMap<>();
        List<Long> missing = new ArrayList<>();
        synchronized (cache) {
            for (Long seq : seqs) {
                Change c = cache.get(seq);
                if (c == null) {
                    missing.add(seq);
                } else {
                    found.put(seq, c);
                }
            }
        }
        int from = 0;
        while (from < missing.size()) {
            int to = from + 1;
            while (to < missing.size() && missing.get(to) - missing.get(to - 1) <= MAX_GAP) {
                to++;
            }
            read(em, missing.get(from), missing.get(to - 1), found);
            from = to;
        }
        List<Change> out = new ArrayList<>(seqs.size());
        for (Long seq : seqs) {
            Change c = found.get(seq);
            if (c == null) {
                if (seq <= prunedUpTo) {
                    continue; // superseded and pruned since the seqs were read: its entity's later row follows
                }
                throw new IllegalStateException("change " + seq + " of the log could not be read");
            }
            out.add(c.data() == null ? c : withData(c, c.data().deepCopy()));
        }
        return out;
    }

    private void read(EntityManager em, long lo, long hi, Map<Long, Change> found) {
        List<Object[]> rows = em.createQuery("select r.seq, r.entityType, r.entityUuid, r.operation, r.updatedAt, "
                + "r.data, r.changed, r.base, r.resolves from SyncChangeRow r where r.seq >= :lo and r.seq <= :hi",
                Object[].class).setParameter("lo", lo).setParameter("hi", hi).getResultList();
        Map<Long, Change> parsed = new HashMap<>();
        for (Object[] row : rows) {
            Change c = toChange(row);
            parsed.put(c.seq(), c);
        }
        found.putAll(parsed);
        synchronized (cache) {
            cache.putAll(parsed);
        }
    }

    private Change toChange(Object[] row) {
        long seq = (Long) row[0];
        String data = (String) row[5];
        ObjectNode tree = null;
        if (data != null) {
            try {
                tree = (ObjectNode) mapper.readTree(data);
            } catch (JsonProcessingException | ClassCastException e) {
                throw new IllegalStateException("change " + seq + " holds unreadable data", e);
            }
        }
        String changed = (String) row[6];
        return new Change(seq, (String) row[1], (String) row[2], Operation.valueOf((String) row[3]), (Instant) row[4],
                tree, changed == null ? null : Arrays.asList(changed.split(",")), (Long) row[7], (String) row[8]);
    }

    private static Change withData(Change c, ObjectNode data) {
        return new Change(c.seq(), c.entityType(), c.entityUuid(), c.operation(), c.updatedAt(), data, c.changed(),
                c.base(), c.resolves());
    }
}
