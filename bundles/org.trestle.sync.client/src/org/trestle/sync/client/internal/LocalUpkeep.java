package org.trestle.sync.client.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.ExchangeRecord;
import org.trestle.sync.api.SyncEngine;

/**
 * What a laptop keeps after its synchronizations: the last ten exchanges for the status
 * views, and a sync log pruned once a day of what the server acknowledged (nothing unsent
 * is ever dropped).
 */
final class LocalUpkeep {

    private static final Logger LOG = LoggerFactory.getLogger(LocalUpkeep.class);
    /** How long the local sync log keeps what the server acknowledged. */
    static final Duration RETENTION = Duration.ofDays(30);
    private static final int KEPT = 10;

    private final SyncEngine engine;
    private final Deque<ExchangeRecord> recent = new ArrayDeque<>();
    private Instant lastPruned;

    LocalUpkeep(SyncEngine engine) {
        this.engine = engine;
    }

    void remember(ExchangeRecord r) {
        synchronized (recent) {
            recent.addFirst(r);
            while (recent.size() > KEPT) {
                recent.removeLast();
            }
        }
    }

    /** @return the most recent exchanges, newest first */
    List<ExchangeRecord> recentExchanges() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    /** After a synchronization: prunes the local sync log unless that was done in the last day. */
    synchronized void pruneDaily() {
        Instant now = Instant.now();
        if (lastPruned != null && lastPruned.isAfter(now.minus(Duration.ofDays(1)))) {
            return;
        }
        lastPruned = now;
        try {
            engine.administration().prune(RETENTION, RETENTION);
        } catch (RuntimeException e) {
            LOG.warn("Pruning the local sync log failed; it is tried again tomorrow", e);
        }
    }
}
