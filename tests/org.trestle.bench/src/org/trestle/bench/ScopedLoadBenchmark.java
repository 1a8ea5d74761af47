package org.trestle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 * A company of laptops with scopes: 200 simulated nodes, 100 projects with two
 * estimates each, every node holding 5 projects (so each project is on 10 nodes) and
 * the global materials, every node adding estimate items to its own projects as fast as
 * it can, in packets of ten. Afterwards every node fetches what is left for it, and the
 * changes delivered must be exactly those of its projects made by the other nodes; a
 * real client holding everything checks that each change is on the server once. Run by
 * bin/bench.
 */
class ScopedLoadBenchmark {

    private static final String KEY = "bench-key";
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
        Report.write("Scopes: a company of laptops", FIGURES, ROWS);
    }

    /** A laptop of the benchmark: its simulated node and the estimates of its projects. */
    private record Laptop(SimulatedNode node, List<Integer> projects, List<String> estimates, long[] madeIn) {
    }

    @Test
    void twoHundredNodesEachHoldingFiveOfAHundredProjects() throws Exception {
        run("", FIGURES, List.of(base), dir.resolve("derby"), () -> -1);
    }

    /**
     * The same on PostgreSQL: one server process, then two on one database with the nodes
     * changing process on every exchange. Runs when bin/bench started a PostgreSQL.
     */
    @Test
    void theSameOnPostgreSqlWithOneAndTwoServerProcesses() throws Exception {
        String url = System.getProperty("trestle.bench.pg.url", "");
        if (url.isBlank()) {
            System.out.println("BENCHMARK scoped on PostgreSQL: no PostgreSQL given (bin/bench starts one)");
            return;
        }
        for (int processes = 1; processes <= 2; processes++) {
            Path work = dir.resolve("postgresql-" + processes);
            List<Launched> servers = new ArrayList<>();
            try {
                List<URI> bases = new ArrayList<>();
                for (int i = 0; i < processes; i++) {
                    Path data = work.resolve("server-" + i);
                    java.nio.file.Files.createDirectories(data);
                    java.nio.file.Files.writeString(data.resolve("server.properties"),
                            "batch-size=1000\nmax-body-bytes=16M\nmax-inflated-bytes=64M\n");
                    if (i > 0) {
                        // one key seals the nodes' file keys for every process
                        java.nio.file.Files.copy(work.resolve("server-0/file-key.secret"), data.resolve("file-key.secret"));
                    }
                    Launched server = Launched.start(work.resolve("server-" + i + ".log"), "trestle-server", "--http",
                            "--port", "0", "--data-dir", data.toString(), "--enrollment-key", KEY, "--admin-token",
                            "bench-admin", "--db-url", url + "bench_scoped_" + processes, "--db-user",
                            System.getProperty("trestle.bench.pg.user"), "--db-password-file",
                            System.getProperty("trestle.bench.pg.password-file"));
                    servers.add(server);
                    String ready = server.await(l -> l.startsWith(READY), 3, TimeUnit.MINUTES).text();
                    bases.add(URI.create(ready.substring(READY.length()).trim()));
                }
                String label = "PostgreSQL, " + (processes == 1 ? "one server process" : processes + " server processes");
                run(label + ": ", FIGURES.putObject("postgresql_" + processes + "_process" + (processes == 1 ? "" : "es")),
                        bases, work, () -> {
                            long ms = 0;
                            for (Launched server : servers) {
                                try {
                                    ms += server.cpuMillis();
                                } catch (java.io.IOException e) {
                                    throw new IllegalStateException(e);
                                }
                            }
                            return ms;
                        });
            } finally {
                for (Launched server : servers) {
                    server.close();
                }
            }
        }
    }

    private static final String READY = "Trestle server listening on ";

    /**
     * The workload against servers at {@code bases} (all on one database): each node
     * registers at one of them in turn and changes server on every exchange.
     */
    private static void run(String label, ObjectNode figures, List<URI> bases, Path dir,
            java.util.function.LongSupplier serverCpuMillis) throws Exception {
        int nodes = Integer.getInteger("trestle.bench.nodes", 200);
        int projects = Integer.getInteger("trestle.bench.projects", 100);
        int perNode = 5;
        int seconds = Integer.getInteger("trestle.bench.seconds", 60);
        int materials = 100;

        // the office creates the projects, their estimates and the materials
        URI base = bases.get(0);
        SimulatedNode office = new SimulatedNode(base, "OFFICE").register(KEY);
        List<String> projectUuids = new ArrayList<>();
        List<List<String>> estimatesOf = new ArrayList<>();
        List<ObjectNode> setup = new ArrayList<>();
        for (int p = 0; p < projects; p++) {
            String project = UUID.randomUUID().toString();
            projectUuids.add(project);
            ObjectNode c = office.change("Project", project, "INSERT");
            c.putObject("data").put("code", String.format("P-%03d", p)).put("name", "Project " + p).put("status", "ACTIVE");
            setup.add(c);
            List<String> estimates = new ArrayList<>();
            for (int e = 1; e <= 2; e++) {
                String estimate = UUID.randomUUID().toString();
                estimates.add(estimate);
                ObjectNode ce = office.change("Estimate", estimate, "INSERT");
                ce.putObject("data").put("project", project).put("number", "E-" + e).put("title", "Estimate " + e)
                        .put("status", "DRAFT").put("currency", "EUR");
                setup.add(ce);
            }
            estimatesOf.add(estimates);
        }
        for (int m = 0; m < materials; m++) {
            ObjectNode c = office.change("Material", UUID.randomUUID().toString(), "INSERT");
            c.putObject("data").put("code", "M-" + m).put("name", "Material " + m).put("unit", "kg").put("unitPrice", "2.00");
            setup.add(c);
        }
        for (int i = 0; i < setup.size(); i += 500) {
            office.exchange(setup.subList(i, Math.min(setup.size(), i + 500)));
        }

        // the laptops, each scoped to five projects before its first exchange
        List<Laptop> laptops = new ArrayList<>();
        long initialLoad = 0;
        for (int i = 0; i < nodes; i++) {
            SimulatedNode n = new SimulatedNode(bases.get(i % bases.size()), String.format("SITE-%03d", i)).register(KEY);
            List<Integer> mine = new ArrayList<>();
            List<String> estimates = new ArrayList<>();
            List<String> roots = new ArrayList<>();
            for (int k = 0; k < perNode; k++) {
                int p = (i * perNode + k) % projects;
                mine.add(p);
                roots.add(projectUuids.get(p));
                estimates.addAll(estimatesOf.get(p));
            }
            scope(base, n.nodeId, roots);
            long load = n.drain();
            assertEquals(materials + perNode * 3L, load, n.code + ": an initial load of its projects and the materials");
            initialLoad += load;
            laptops.add(new Laptop(n, mine, estimates, new long[perNode]));
        }
        // each laptop's packet numbers catch up with the log the later registrations wrote,
        // as a laptop does the first time it comes back online after its initial load
        for (Laptop l : laptops) {
            assertEquals(0, l.node().drain(), l.node().code + ": nothing new for it");
            l.node().received = 0;
        }

        // every laptop adds items to the estimates of its projects, as fast as it can
        long[] latencies = new long[10_000_000];
        AtomicLong count = new AtomicLong();
        Map<String, Throwable> failures = new ConcurrentHashMap<>();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long rssBefore = Report.rssKib();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        AtomicLong rssPeak = new AtomicLong(rssBefore);
        AtomicLong heapPeak = new AtomicLong(heapBefore);
        int threadsBefore = Thread.activeCount();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch done = new CountDownLatch(nodes);
        long[] machineBefore = Report.cpuTicks();
        long serverCpuBefore = serverCpuMillis.getAsLong();
        long t0 = System.nanoTime();
        for (Laptop l : laptops) {
            Thread.ofVirtual().start(() -> {
                try {
                    while (System.nanoTime() < deadline) {
                        List<ObjectNode> items = new ArrayList<>(10);
                        for (int k = 0; k < 10; k++) {
                            SimulatedNode n = l.node();
                            ObjectNode c = n.change("EstimateItem", UUID.randomUUID().toString(), "INSERT");
                            int e = (int) (n.seq % l.estimates().size());
                            l.madeIn()[e / 2]++;
                            c.putObject("data").put("estimate", l.estimates().get(e))
                                    .put("position", (int) n.seq).put("description", n.code + "-" + n.seq)
                                    .put("unit", "pcs").put("quantity", "1.000").put("unitPrice", "2.50");
                            items.add(c);
                        }
                        long s = System.nanoTime();
                        // no sticky sessions: each exchange goes to the next server process
                        l.node().base = bases.get((int) (l.node().packetNo % bases.size()));
                        l.node().exchange(items);
                        long i = count.getAndIncrement();
                        if (i < latencies.length) {
                            latencies[(int) i] = System.nanoTime() - s;
                        }
                    }
                } catch (Throwable t) {
                    failures.put(l.node().code, t);
                } finally {
                    done.countDown();
                }
            });
        }
        while (!done.await(500, TimeUnit.MILLISECONDS)) {
            rssPeak.accumulateAndGet(Report.rssKib(), Math::max);
            heapPeak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long[] machineAfter = Report.cpuTicks();
        double busy = machineAfter[1] == machineBefore[1] ? 0
                : (double) (machineAfter[0] - machineBefore[0]) / (machineAfter[1] - machineBefore[1]);
        long serverCpu = serverCpuMillis.getAsLong() - serverCpuBefore;
        assertTrue(failures.isEmpty(), () -> "exchanges failed: " + failures);
        long exchanges = count.get();
        long changes = laptops.stream().mapToLong(l -> l.node().sent).sum();
        long deliveredDuring = laptops.stream().mapToLong(l -> l.node().received).sum();
        long[] measured = Arrays.copyOf(latencies, (int) Math.min(exchanges, latencies.length));

        // what is left for each laptop, then: exactly the items of its projects made by the others
        long[] madeInProject = new long[projects];
        for (Laptop l : laptops) {
            for (int k = 0; k < perNode; k++) {
                madeInProject[l.projects().get(k)] += l.madeIn()[k];
            }
        }
        for (Laptop l : laptops) {
            l.node().drain();
            long expected = l.projects().stream().mapToLong(p -> madeInProject[p]).sum() - l.node().sent;
            assertEquals(expected, l.node().received, l.node().code + ": the items of its projects made by the others");
        }
        long delivered = laptops.stream().mapToLong(l -> l.node().received).sum();
        long applied = 0;
        for (URI b : bases) {
            applied += BenchRuntime.metric(b, "trestle_changes_applied_total");
        }
        try (BenchClient verifier = new BenchClient(factory, dir.resolve("verifier"), base, "VERIFY").register(KEY)) {
            verifier.syncToCompletion();
            for (Laptop l : laptops) {
                long held = verifier.engine.read(em -> em.createQuery(
                        "select count(i) from EstimateItem i where i.description like :prefix", Long.class)
                        .setParameter("prefix", l.node().code + "-%").getSingleResult());
                assertEquals(l.node().sent, held, l.node().code + ": every item it sent, once");
            }
        }
        assertEquals(changes + setup.size(), applied, "the server applied each change once");

        double changesPerS = changes / elapsed;
        double deliveredPerS = deliveredDuring / elapsed;
        double p50 = Report.percentile(measured, 50);
        double p99 = Report.percentile(measured, 99);
        figures.put("nodes", nodes).put("projects", projects).put("projects_per_node", perNode).put("seconds", elapsed)
                .put("exchanges", exchanges).put("changes", changes).put("changes_per_s", changesPerS)
                .put("delivered_during", deliveredDuring).put("delivered_per_s", deliveredPerS)
                .put("delivered_total", delivered).put("initial_load_changes", initialLoad).put("p50_ms", p50)
                .put("p99_ms", p99).put("rss_before_kib", rssBefore).put("rss_peak_kib", rssPeak.get())
                .put("heap_before_mib", heapBefore >> 20).put("heap_peak_mib", heapPeak.get() >> 20)
                .put("threads_before", threadsBefore).put("errors", failures.size());
        String w = label + nodes + " nodes, " + projects + " projects, " + perNode + " per node, " + seconds + " s, packets of 10";
        ROWS.add(new Report.Row(w, "changes applied (estimate items added by every node to its projects)",
                Report.fmt(changesPerS) + " changes/s", "≥ 5,000/s", Report.met(changesPerS >= 5000)));
        ROWS.add(new Report.Row(w, "exchanges", Report.fmt(exchanges / elapsed) + " exchanges/s", "", ""));
        ROWS.add(new Report.Row(w, "changes delivered in the answers (each to the 9 other nodes holding its project)",
                Report.fmt(deliveredPerS) + " changes/s; " + String.format("%,d", delivered) + " in all, exactly those of each node's projects", "", ""));
        ROWS.add(new Report.Row(w, "exchange latency p50 / p99 (every node sending as fast as it can)",
                String.format("%.0f / %.0f ms", p50, p99), "p99 < 250 ms", Report.met(p99 < 250)));
        if (label.isEmpty()) {
            // the server runs in this JVM only in the first variant
            ROWS.add(new Report.Row(w, "heap used, peak sampled every 0.5 s (server and simulated nodes, garbage included)",
                    (heapPeak.get() >> 20) + " MiB (" + (heapBefore >> 20) + " MiB before)", "", ""));
            ROWS.add(new Report.Row(w, "process RSS (server and simulated nodes)",
                    (rssPeak.get() >> 10) + " MiB peak (" + (rssBefore >> 10) + " MiB before)", "", ""));
        }
        String cpu = String.format("machine %.0f %% busy", busy * 100);
        if (serverCpuBefore >= 0) {
            cpu += String.format("; server processes %.1f of %.1f core-seconds (%.0f %% of the %d cores' time)",
                    serverCpu / 1000.0, elapsed * Runtime.getRuntime().availableProcessors(),
                    100 * serverCpu / 1000.0 / (elapsed * Runtime.getRuntime().availableProcessors()),
                    Runtime.getRuntime().availableProcessors());
            figures.put("server_cpu_s", serverCpu / 1000.0);
        }
        figures.put("machine_busy", busy);
        ROWS.add(new Report.Row(w, "CPU during the measured run (the rest: simulated nodes, PostgreSQL, the system)",
                cpu, "", ""));
        ROWS.add(new Report.Row(w, "initial loads (each node: its 5 projects, 10 estimates, 100 materials)",
                String.format("%,d", initialLoad) + " changes for " + nodes + " nodes", "", ""));
        ROWS.add(new Report.Row(w, "errors; changes lost or applied twice", "0; 0 of " + String.format("%,d", changes),
                "none", "met"));
    }

    private static void scope(URI base, String nodeId, List<String> roots) throws Exception {
        ObjectNode body = BenchClient.JSON.createObjectNode();
        roots.forEach(body.putArray("scope")::add);
        HttpResponse<String> r = BenchClient.HTTP.send(HttpRequest.newBuilder(base.resolve("/api/admin/nodes/" + nodeId + "/scope"))
                .header("Authorization", "Bearer bench-admin").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }
}
