package org.trestle.sync.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.trestle.sync.core.internal.model.SyncChangeRow;

/** The log's tail in memory answers what is queued for a node exactly as the log would, or not at all. */
class LogTailTest {

    private static SyncChangeRow row(long seq, String origin, String target) {
        SyncChangeRow r = new SyncChangeRow();
        r.seq = seq;
        r.originNode = origin;
        r.targetNode = target;
        return r;
    }

    private static SyncChangeRow row(long seq, String origin, String target, String root) {
        SyncChangeRow r = row(seq, origin, target);
        r.rootUuid = root;
        return r;
    }

    @Test
    void aNodeWithALimitedScopeIsQueuedGlobalRowsItsOwnAndThoseOfItsRoots() {
        LogTail tail = new LogTail(0);
        tail.committed(List.of(row(1, "A", null, "P1"), row(2, "B", null, "P2"), row(3, "B", null, null),
                row(4, "S", "A", "P2"), row(5, "S", "B", null), row(6, "C", null, "P3"), row(7, "A", null, "P1"),
                row(8, "B", null, "P1")));
        assertEquals(List.of(3L, 4L, 8L), tail.queued("A", 0, 8, 100, Set.of("P1")),
                "global, addressed to it (an eviction of another root), its root's; never its own");
        assertEquals(List.of(1L, 5L, 6L, 7L), tail.queued("B", 0, 8, 100, Set.of("P1", "P3")));
        assertEquals(List.of(3L), tail.queued("D", 0, 8, 100, Set.of()), "an empty scope: global types only");
        assertEquals(List.of(1L, 5L), tail.queued("B", 0, 8, 2, Set.of("P1", "P3")), "the lowest seqs up to the limit");
        assertEquals(List.of(6L, 7L), tail.queued("B", 5, 7, 100, Set.of("P1", "P3")));
        assertEquals(tail.queued("D", 0, 8, 100), tail.queued("D", 0, 8, 100, null), "no scope: every row for all");
        assertEquals(List.of(1L, 2L, 3L, 6L, 7L, 8L), tail.queued("D", 0, 8, 100));
    }

    @Test
    void rowsAddressedToANodeThatWereDeletedAreNotAnsweredAndLaterOnesAre() {
        LogTail tail = new LogTail(0);
        tail.committed(List.of(row(1, "S", "B"), row(2, "S", "B"), row(3, "A", null), row(4, "S", "C")));
        tail.dropAddressedTo("B", 2); // B's initial load, queued anew for its new scope
        tail.committed(List.of(row(5, "S", "B", "P1")));
        assertEquals(List.of(3L, 5L), tail.queued("B", 0, 5, 100));
        assertEquals(List.of(3L, 5L), tail.queued("B", 0, 5, 100, Set.of()));
        assertEquals(List.of(3L, 4L), tail.queued("C", 0, 5, 100, Set.of()));
        List<SyncChangeRow> more = new ArrayList<>();
        for (long seq = 6; seq <= LogTail.CAPACITY + 10; seq++) {
            more.add(row(seq, "A", null));
        }
        tail.committed(more); // the dropped rows leave the tail like any other
        assertEquals(LogTail.CAPACITY, tail.queued("B", 10, LogTail.CAPACITY + 10, LogTail.CAPACITY).size());
    }

    @Test
    void theIndexOfScopedRowsFollowsRowsPushedOutOfTheTail() {
        LogTail tail = new LogTail(0);
        int total = LogTail.CAPACITY * 2 + 7;
        List<SyncChangeRow> rows = new ArrayList<>();
        for (long seq = 1; seq <= total; seq++) {
            rows.add(row(seq, "A", seq % 5 == 0 ? "B" : null, seq % 3 == 0 ? null : "P" + (seq % 3)));
        }
        tail.committed(rows);
        long from = total - LogTail.CAPACITY + 10;
        assertNull(tail.queued("B", from - 20, total, 100, Set.of("P1")), "the oldest rows are gone");
        assertEquals(LongStream.rangeClosed(from + 1, total).filter(s -> s % 5 == 0 || s % 3 == 0 || s % 3 == 1)
                .limit(50).boxed().toList(), tail.queued("B", from, total, 50, Set.of("P1")));
        List<Long> expected = LongStream.rangeClosed(from + 1, total).filter(s -> s % 5 != 0 && s % 3 != 1).boxed().toList();
        List<Long> queued = tail.queued("C", from, total, LogTail.CAPACITY, Set.of("P2"));
        assertEquals(expected.size(), queued.size(), "global rows and those of P2");
        assertTrue(expected.equals(queued), "global rows and those of P2, in order");
    }

    @Test
    void aNodeIsQueuedRowsOfOthersForEveryoneOrForItInOrder() {
        LogTail tail = new LogTail(10);
        tail.committed(List.of(row(11, "A", null), row(12, "B", null), row(13, "S", "A"), row(14, "S", "B")));
        tail.committed(List.of(row(16, "C", null))); // 15 was written by a transaction that rolled back
        assertEquals(16, tail.lastCommitted());
        assertEquals(List.of(12L, 13L, 16L), tail.queued("A", 10, 16, 100));
        assertEquals(List.of(11L, 14L, 16L), tail.queued("B", 10, 16, 100));
        assertEquals(List.of(13L), tail.queued("A", 12, 15, 100), "after the acknowledged seq, up to the visible one");
        assertEquals(List.of(12L), tail.queued("A", 10, 16, 1), "no more than the limit");
        assertEquals(List.of(), tail.queued("A", 16, 16, 100));
        assertNull(tail.queued("A", 9, 16, 100), "rows before the tail began are read from the log");
        assertNull(tail.queued("A", 10, 17, 100), "rows not committed yet are not answered for");
    }

    @Test
    void rowsPushedOutOfTheTailAreReadFromTheLogAgain() {
        LogTail tail = new LogTail(0);
        int total = LogTail.CAPACITY + 1_000;
        List<SyncChangeRow> rows = new ArrayList<>();
        for (long seq = 1; seq <= total; seq++) {
            rows.add(row(seq, seq % 2 == 0 ? "A" : "B", null));
        }
        tail.committed(rows);
        assertNull(tail.queued("A", 999, total, 10), "the oldest rows are gone");
        assertEquals(LongStream.rangeClosed(1_001, total).filter(s -> s % 2 == 1).limit(10).boxed().toList(),
                tail.queued("A", 1_000, total, 10));
    }

    @Test
    void afterForgettingOnlyRowsCommittedLaterAreAnswered() {
        LogTail tail = new LogTail(0);
        tail.committed(List.of(row(1, "A", null), row(2, "A", null)));
        tail.forget(5); // 3 to 5 were written by a transaction whose outcome is not known
        assertNull(tail.queued("B", 0, 5, 100));
        assertEquals(List.of(), tail.queued("B", 5, 5, 100));
        tail.committed(List.of(row(6, "A", null)));
        assertEquals(List.of(6L), tail.queued("B", 5, 6, 100));
        tail.committed(List.of(row(6, "A", null), row(7, "A", null)));
        assertNull(tail.queued("B", 5, 6, 100), "a seq told twice makes the tail forget, never answer with a gap");
        assertEquals(7, tail.lastCommitted());
        tail.committed(List.of(row(8, "A", null)));
        assertEquals(List.of(8L), tail.queued("B", 7, 8, 100));
    }
}
