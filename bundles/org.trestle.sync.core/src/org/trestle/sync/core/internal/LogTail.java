package org.trestle.sync.core.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.trestle.sync.core.internal.model.SyncChangeRow;

/**
 * Where the most recent rows of the change log go, in memory: each row's seq, origin,
 * target and scope root, in seq order, for the last {@link #CAPACITY} rows written, and
 * an index of them by who receives them.
 * <p>
 * Building a packet starts with the seqs queued for its node. Every node asks for
 * nearly the same tail of the log, so answering from memory spares each packet a range
 * scan of the log's rows. The tail is told of rows only once their transaction has
 * committed, under the capture's commit lock, so it holds them in seq order and every
 * seq at or below {@link #lastCommitted()} is either in it, older than it holds, or was
 * never committed. When a transaction that wrote rows fails, whether they were committed
 * is not known for certain, so the tail forgets everything and the log is read again
 * until the tail has filled anew.
 * <p>
 * The index keeps, for each key, the positions of its rows in order: rows addressed to
 * one node under that node's id, rows of a scope root under the root, rows of global
 * types under one list of their own. A node with a limited scope reads only the lists of
 * its roots, its own and the global one, so the cost of a change grows with the nodes
 * that receive it, not with all nodes. A node that receives everything reads the tail.
 */
final class LogTail {

    /** Rows remembered: about 40 bytes each with their index entry, plus the ids they share. */
    static final int CAPACITY = 65_536;

    private final long[] seqs = new long[CAPACITY];
    private final String[] origins = new String[CAPACITY];
    private final String[] targets = new String[CAPACITY];
    private final String[] roots = new String[CAPACITY];
    /** The target of rows that were deleted from the log: it names no node, and the rows are in no list. */
    private static final String DROPPED = "(dropped)";
    /** Rows addressed to one node, by its id. */
    private final Map<String, Positions> byTarget = new HashMap<>();
    /** Rows for every node whose scope holds their root, by root. */
    private final Map<String, Positions> byRoot = new HashMap<>();
    /** Rows of global types, for every node. */
    private final Positions global = new Positions();
    /** The position of the oldest row held; positions count rows told since the tail was last emptied. */
    private long start;
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
                dropOldest();
            }
            long position = start + size;
            int at = slot(position);
            seqs[at] = r.seq;
            origins[at] = r.originNode;
            targets[at] = r.targetNode;
            roots[at] = r.rootUuid;
            size++;
            lastCommitted = r.seq;
            Positions list = r.targetNode != null ? byTarget.computeIfAbsent(r.targetNode, k -> new Positions())
                    : r.rootUuid != null ? byRoot.computeIfAbsent(r.rootUuid, k -> new Positions()) : global;
            list.add(position);
        }
    }

    private void dropOldest() {
        int at = slot(start);
        heldAfter = seqs[at];
        if (targets[at] != DROPPED) {
            Map<String, Positions> index = targets[at] != null ? byTarget : roots[at] != null ? byRoot : null;
            String key = targets[at] != null ? targets[at] : roots[at];
            Positions list = index == null ? global : index.get(key);
            list.removeFirst();
            if (index != null && list.isEmpty()) {
                index.remove(key);
            }
        }
        origins[at] = null;
        targets[at] = null;
        roots[at] = null;
        start++;
        size--;
    }

    /** Forgets every row: none after {@code lastSeq} has committed yet, or it is not known which did. */
    synchronized void forget(long lastSeq) {
        Arrays.fill(origins, null);
        Arrays.fill(targets, null);
        Arrays.fill(roots, null);
        byTarget.clear();
        byRoot.clear();
        global.clear();
        start = 0;
        size = 0;
        heldAfter = lastSeq;
        lastCommitted = lastSeq;
    }

    /**
     * The rows addressed to a node up to a seq were deleted from the log (its initial load,
     * queued anew for another scope): they are not answered any more. Rows after it stay.
     */
    synchronized void dropAddressedTo(String node, long upToSeq) {
        Positions list = byTarget.get(node);
        while (list != null && !list.isEmpty() && seqs[slot(list.get(0))] <= upToSeq) {
            targets[slot(list.get(0))] = DROPPED;
            list.removeFirst();
        }
        if (list != null && list.isEmpty()) {
            byTarget.remove(node);
        }
    }

    /** @return the highest seq committed; every row at or below it that will ever be visible is */
    synchronized long lastCommitted() {
        return lastCommitted;
    }

    /** {@link #queued(String, long, long, int, Set)} for a node that receives every root. */
    List<Long> queued(String node, long acked, long upTo, int limit) {
        return queued(node, acked, upTo, limit, null);
    }

    /**
     * The seqs queued for a node after {@code acked} up to {@code upTo}: rows that did not
     * come from it and are addressed to it, or to every node and are of a global type or
     * of a root the node receives.
     *
     * @param scope the roots the node receives, or {@code null} for every root
     * @return at most {@code limit} seqs in order, or {@code null} when the tail does not
     *         hold every row of that range and the log must be read
     */
    synchronized List<Long> queued(String node, long acked, long upTo, int limit, Set<String> scope) {
        if (acked < heldAfter || upTo > lastCommitted) {
            return null;
        }
        if (scope == null) {
            return scan(node, acked, upTo, limit);
        }
        // the rows of each list the node reads, merged in seq order
        long[] found = new long[16];
        int count = 0;
        List<Positions> lists = new ArrayList<>(scope.size() + 2);
        lists.add(global);
        lists.add(byTarget.get(node));
        for (String root : scope) {
            lists.add(byRoot.get(root));
        }
        for (Positions list : lists) {
            if (list == null) {
                continue;
            }
            int taken = 0;
            for (int i = firstAfter(list, acked); i < list.size() && taken < limit; i++) {
                int at = slot(list.get(i));
                if (seqs[at] > upTo) {
                    break;
                }
                if (!node.equals(origins[at])) {
                    if (count == found.length) {
                        found = Arrays.copyOf(found, count * 2);
                    }
                    found[count++] = seqs[at];
                    taken++;
                }
            }
        }
        Arrays.sort(found, 0, count);
        List<Long> out = new ArrayList<>(Math.min(count, limit));
        for (int i = 0; i < count && i < limit; i++) {
            out.add(found[i]);
        }
        return out;
    }

    /** The rows for a node that receives everything: every row of the range not from it and for all or for it. */
    private List<Long> scan(String node, long acked, long upTo, int limit) {
        List<Long> out = new ArrayList<>(Math.min(limit, 1024));
        for (long p = start + firstAfter(acked); p < start + size && out.size() < limit; p++) {
            int at = slot(p);
            if (seqs[at] > upTo) {
                break;
            }
            String target = targets[at];
            if (!node.equals(origins[at]) && (target == null || target.equals(node))) {
                out.add(seqs[at]);
            }
        }
        return out;
    }

    private static int slot(long position) {
        return (int) (position % CAPACITY);
    }

    /** @return the offset (0 = oldest) of the first row held with a seq above {@code seq} */
    private int firstAfter(long seq) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (seqs[slot(start + mid)] <= seq) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** @return the index in the list of its first row with a seq above {@code seq} */
    private int firstAfter(Positions list, long seq) {
        int lo = 0;
        int hi = list.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (seqs[slot(list.get(mid))] <= seq) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Positions of rows in the tail, oldest first: a queue that grows at its end and shrinks at its start. */
    private static final class Positions {
        private long[] items = new long[4];
        private int head;
        private int size;

        void add(long position) {
            if (size == items.length) {
                long[] grown = new long[items.length * 2];
                for (int i = 0; i < size; i++) {
                    grown[i] = get(i);
                }
                items = grown;
                head = 0;
            }
            items[(head + size) % items.length] = position;
            size++;
        }

        long get(int i) {
            return items[(head + i) % items.length];
        }

        void removeFirst() {
            head = (head + 1) % items.length;
            size--;
        }

        int size() {
            return size;
        }

        boolean isEmpty() {
            return size == 0;
        }

        void clear() {
            items = new long[4];
            head = 0;
            size = 0;
        }
    }
}
