package org.trestle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.trestle.sync.api.SyncEngineFactory;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The server under load: many simulated nodes (threads speaking the protocol, no local
 * database) exchange packets of ten changes as fast as they can. Afterwards a real
 * client downloads everything and every change is counted. Run by bin/bench.
 */
class LoadBenchmark {

    private static URI base;
    private static SyncEngineFactory factory;
    private static Path dir;
    private static final ObjectNode FIGURES = BenchClient.JSON.createObjectNode();
    private static final List<Report.Row> ROWS = new ArrayList<>();

    @BeforeAll
    static void connect() throws Exception {
        BenchRuntime runtime = BenchRuntime.connect();
        base = runtime.base();
        factory = runtime.factory();
        dir = runtime.dir();
    }

    @AfterAll
    static void write() throws Exception {
        Report.write("Server under load", FIGURES, ROWS);
    }

    /** Ten new materials of a node, made by it. */
    private static List<ObjectNode> materials(SimulatedNode n, int count) {
        List<ObjectNode> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ObjectNode c = n.change("Material", UUID.randomUUID().toString(), "INSERT");
            c.putObject("data").put("code", n.code + "-" + n.seq).put("name", "Load material " + n.code + " " + n.seq)
                    .put("unit", "kg").put("unitPrice", "1.25");
            list.add(c);
        }
        return list;
    }

    @Test
    void manyNodesExchangingPacketsOfTenChanges() throws Exception {
        int nodes = Integer.getInteger("trestle.bench.nodes", 200);
        int seconds = Integer.getInteger("trestle.bench.seconds", 60);
        List<SimulatedNode> all = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            all.add(new SimulatedNode(base, String.format("LOAD-%03d", i)).register("bench-key"));
        }
        long[] latencies = new long[10_000_000];
        AtomicLong count = new AtomicLong();
        Map<String, Throwable> failures = new ConcurrentHashMap<>();
        long rssBefore = Report.rssKib();
        AtomicLong rssPeak = new AtomicLong(rssBefore);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch done = new CountDownLatch(nodes);
        long t0 = System.nanoTime();
        for (SimulatedNode n : all) {
            Thread.ofVirtual().start(() -> {
                try {
                    while (System.nanoTime() < deadline) {
                        long s = System.nanoTime();
                        n.exchange(materials(n, 10));
                        long i = count.getAndIncrement();
                        if (i < latencies.length) {
                            latencies[(int) i] = System.nanoTime() - s;
                        }
                    }
                } catch (Throwable t) {
                    failures.put(n.code, t);
                } finally {
                    done.countDown();
                }
            });
        }
        while (!done.await(500, TimeUnit.MILLISECONDS)) {
            rssPeak.accumulateAndGet(Report.rssKib(), Math::max);
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        assertTrue(failures.isEmpty(), () -> "exchanges failed: " + failures);
        long exchanges = count.get();
        long changes = all.stream().mapToLong(n -> n.sent).sum();
        long delivered = all.stream().mapToLong(n -> n.received).sum();
        long[] measured = java.util.Arrays.copyOf(latencies, (int) Math.min(exchanges, latencies.length));

        // Afterwards: every change is on the server exactly once (its counter), and a real
        // client that downloads everything holds each node's changes.
        long applied = BenchRuntime.metric(base, "trestle_changes_applied_total");
        try (BenchClient verifier = new BenchClient(factory, dir.resolve("verifier"), base, "VERIFY").register("bench-key")) {
            verifier.syncToCompletion();
            for (SimulatedNode n : all) {
                long held = verifier.engine.read(em -> em.createQuery(
                        "select count(m) from Material m where m.code like :prefix", Long.class)
                        .setParameter("prefix", n.code + "-%").getSingleResult());
                assertEquals(n.sent, held, n.code + ": every change it sent, once");
            }
        }
        assertEquals(changes, applied, "the server applied each change once");

        double changesPerS = changes / elapsed;
        double exchangesPerS = exchanges / elapsed;
        double deliveredPerS = delivered / elapsed;
        double p50 = Report.percentile(measured, 50);
        double p99 = Report.percentile(measured, 99);
        FIGURES.put("nodes", nodes).put("seconds", elapsed).put("exchanges", exchanges).put("changes", changes)
                .put("changes_per_s", changesPerS).put("exchanges_per_s", exchangesPerS)
                .put("delivered", delivered).put("delivered_per_s", deliveredPerS).put("p50_ms", p50)
                .put("p99_ms", p99).put("rss_before_kib", rssBefore).put("rss_peak_kib", rssPeak.get())
                .put("errors", failures.size()).put("lost_or_duplicated", 0);
        String w = nodes + " nodes, " + seconds + " s, packets of 10";
        ROWS.add(new Report.Row(w, "changes applied", Report.fmt(changesPerS) + " changes/s", "≥ 5,000/s",
                Report.met(changesPerS >= 5000)));
        ROWS.add(new Report.Row(w, "exchanges", Report.fmt(exchangesPerS) + " exchanges/s", "", ""));
        ROWS.add(new Report.Row(w, "changes of other nodes delivered in the answers (every node receives every change)",
                Report.fmt(deliveredPerS) + " changes/s", "", ""));
        ROWS.add(new Report.Row(w, "exchange latency p50 / p99", String.format("%.0f / %.0f ms", p50, p99),
                "p99 < 250 ms", Report.met(p99 < 250)));
        ROWS.add(new Report.Row(w, "process RSS (server and simulated nodes)",
                (rssPeak.get() >> 10) + " MiB peak (" + (rssBefore >> 10) + " MiB before)", "", ""));
        ROWS.add(new Report.Row(w, "errors; changes lost or applied twice", "0; 0 of " + String.format("%,d", changes),
                "none", "met"));
    }
}
