package org.trestle.sync.core.internal;

import java.util.ArrayList;
import java.util.List;

import org.trestle.sync.core.internal.model.SyncChangeRow;

/**
 * Where the most recent rows of the change log go, in memory: each row's seq, origin
 * and target, in seq order, for the last {@link #CAPACITY} rows written.
 * <p>
 * Building a packet starts with the seqs queued for its node. Every node asks for
 * nearly the same tail of the log, so answering from memory spares each packet a range
 * scan of the log's rows. The tail is told of rows only once their transaction has
 * committed, under the capture's commit lock, so it holds them in seq order and every
 * seq at or below {@link #lastCommitted()} is either in it, older than it holds, or was
 * never committed. When a transaction that wrote rows fails, whether they were committed
 * is not known for certain, so the tail forgets everything and the log is read again
 * until the tail has filled anew.
 */
final class LogTail {

    /** Rows remembered: 24 bytes each, plus the node ids they share. */
    static final int CAPACITY = 65_536;

    private final long[] seqs = new long[CAPACITY];
    private final String[] origins = new String[CAPACITY];
    private final String[] targets = new String[CAPACITY];
    private final String[] roots = new String[CAPACITY];
    /** The index of the oldest row held. */
    private int first;
    private int size;
    /** Every committed row with a seq above this is held. */
    private long heldAfter;
    private long lastCommitted;

    LogTail(long lastSeq) {
        forget(lastSeq);
    }

    /**
     * Rows of a transaction that committed, in seq order, after every row told before.
     * Rows out of that order make the tail forget everything rather than answer wrongly.
     */
    synchronized void committed(List<SyncChangeRow> rows) {
        for (SyncChangeRow r : rows) {
            if (r.seq <= lastCommitted) {
                // never expected (rows come in seq order); the log itself stays the truth
                forget(Math.max(lastCommitted, rows.get(rows.size() - 1).seq));
                return;
            }
            if (size == CAPACITY) {
                heldAfter = seqs[first];
                first = (first + 1) % CAPACITY;
                size--;
            }
            int at = (first + size) % CAPACITY;
            seqs[at] = r.seq;
            origins[at] = r.originNode;
            targets[at] = r.targetNode;
            roots[at] = r.rootUuid;
            size++;
            lastCommitted = r.seq;
        }
    }

    /** Forgets every row: none after {@code lastSeq} has committed yet, or it is not known which did. */
    synchronized void forget(long lastSeq) {
        java.util.Arrays.fill(origins, null);
        java.util.Arrays.fill(targets, null);
        java.util.Arrays.fill(roots, null);
        first = 0;
        size = 0;
        heldAfter = lastSeq;
        lastCommitted = lastSeq;
    }

    /** @return the highest seq committed; every row at or below it that will ever be visible is */
    synchronized long lastCommitted() {
        return lastCommitted;
    }

    /**
     * The seqs queued for a node after {@code acked} up to {@code upTo}: rows that did not
     * come from it and are addressed to it, or to every node whose scope holds their root.
     *
     * @return at most {@code limit} seqs in order, or {@code null} when the tail does not
     *         hold every row of that range and the log must be read
     */
    /** {@link #queued(String, long, long, int, java.util.function.Predicate)} for a node that receives every root. */
    List<Long> queued(String node, long acked, long upTo, int limit) {
        return queued(node, acked, upTo, limit, root -> true);
    }

    synchronized List<Long> queued(String node, long acked, long upTo, int limit,
            java.util.function.Predicate<String> seesRoot) {
        if (acked < heldAfter || upTo > lastCommitted) {
            return null;
        }
        List<Long> out = new ArrayList<>(Math.min(limit, 1024));
        for (int i = firstAfter(acked); i < size && out.size() < limit; i++) {
            int at = (first + i) % CAPACITY;
            if (seqs[at] > upTo) {
                break;
            }
            String target = targets[at];
            if (!node.equals(origins[at]) && (target == null ? seesRoot.test(roots[at]) : target.equals(node))) {
                out.add(seqs[at]);
            }
        }
        return out;
    }

    /** @return the position (0 = oldest) of the first row with a seq above {@code seq} */
    private int firstAfter(long seq) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (seqs[(first + mid) % CAPACITY] <= seq) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
