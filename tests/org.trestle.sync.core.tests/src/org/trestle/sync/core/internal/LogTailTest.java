package org.trestle.sync.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
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
