package org.trestle.sync.server.internal.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.SyncEngine;

/**
 * The server's health minute by minute for the last {@link #KEPT} hours, in bounded memory
 * of this process: exchanges and failures, changes in and out, the mean exchange time and
 * the changes waiting for the {@link #NODES_KEPT} laptops with most of them. A sample is
 * taken every minute; the minute under way is shown as it stands.
 */
final class HealthHistory {

    static final Duration KEPT = Duration.ofHours(6);
    static final int NODES_KEPT = 8;
    private static final Logger LOG = LoggerFactory.getLogger(HealthHistory.class);

    /** One minute: what happened in it, and what waited at its end. */
    record Sample(Instant at, long exchanges, long failures, long changesIn, long changesOut, Double latencyMs,
            Map<String, Long> pending) {
    }

    private record Totals(long exchanges, long failures, long changesIn, long changesOut, long timed, long micros) {
    }

    private final SyncEngine engine;
    private final Counters counters;
    private final Clock clock;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private final ScheduledExecutorService timer;
    private Totals last;

    HealthHistory(SyncEngine engine, Counters counters, Clock clock) {
        this.engine = engine;
        this.counters = counters;
        this.clock = clock;
        this.last = totals();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trestle-console-health");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sampleQuietly, 1, 1, TimeUnit.MINUTES);
    }

    void close() {
        timer.shutdownNow();
    }

    /** @return the kept minutes, oldest first, and the minute under way last */
    List<Sample> samples() {
        List<Sample> all;
        Totals before;
        synchronized (this) {
            all = new ArrayList<>(samples);
            before = last;
        }
        // the minute under way shows the waiting changes of the last sample: a page view
        // does not count every node's queue again
        Map<String, Long> pending = all.isEmpty() ? pending() : all.get(all.size() - 1).pending();
        all.add(sample(before, totals(), pending));
        return all;
    }

    private void sampleQuietly() {
        try {
            Totals now = totals();
            Totals from;
            synchronized (this) {
                from = last;
                last = now;
            }
            Sample s = sample(from, now, pending());
            synchronized (this) {
                samples.addLast(s);
                while (samples.size() > KEPT.toMinutes()) {
                    samples.removeFirst();
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("The console's health sample could not be taken: " + e.getMessage());
        }
    }

    /** @return the changes waiting for the {@link #NODES_KEPT} laptops with most of them */
    private Map<String, Long> pending() {
        Map<String, Long> pending = new LinkedHashMap<>();
        engine.syncManager().nodes().stream().filter(n -> !n.self() && !n.server() && !n.revoked())
                .sorted(Comparator.comparingLong(NodeInfo::pendingChanges).reversed().thenComparing(NodeInfo::code))
                .limit(NODES_KEPT).forEach(n -> pending.put(n.code(), n.pendingChanges()));
        return pending;
    }

    private Sample sample(Totals from, Totals to, Map<String, Long> pending) {
        long timed = to.timed() - from.timed();
        Double latency = timed == 0 ? null : (to.micros() - from.micros()) / 1000.0 / timed;
        return new Sample(clock.instant(), to.exchanges() - from.exchanges(), to.failures() - from.failures(),
                to.changesIn() - from.changesIn(), to.changesOut() - from.changesOut(), latency, pending);
    }

    private Totals totals() {
        return new Totals(counters.exchanges(), counters.exchangeFailures(), counters.changesIn(), counters.changesOut(),
                counters.timedExchanges(), counters.exchangeMicros());
    }
}
