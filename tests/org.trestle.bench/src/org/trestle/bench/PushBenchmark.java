package org.trestle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Push, measured with the shipped programs in processes of their own: a server
 * ({@code bin/trestle-server}) and two laptops each running {@code bin/trestle-sync watch},
 * edits typed into A's watch and timed until B's watch prints the exchange that brought
 * them; then what two idle watches cost, and what 2,000 waiting laptops cost the server.
 * Run by bin/bench after the products are built.
 */
class PushBenchmark {

    private static final ObjectNode FIGURES = BenchClient.JSON.createObjectNode();
    private static final List<Report.Row> ROWS = new ArrayList<>();
    private static final Path DIR = Path.of(System.getProperty("trestle.bench.dir"));

    @AfterAll
    static void write() throws Exception {
        Report.write("Push: separate processes", FIGURES, ROWS);
    }

    /** A server process of its own, plain HTTP on loopback, and its address. */
    private record Server(Launched process, URI url) implements AutoCloseable {

        static Server start(Path dir) throws Exception {
            Files.createDirectories(dir);
            Launched server = Launched.start(dir.resolve("server.log"), "trestle-server", "--http", "--port", "0",
                    "--data-dir", dir.resolve("server").toString(), "--enrollment-key", "bench-key", "--admin-token",
                    "bench-admin");
            String ready = server.await(l -> l.startsWith(READY), 3, TimeUnit.MINUTES).text();
            return new Server(server, URI.create(ready.substring(READY.length()).trim()));
        }

        @Override
        public void close() throws Exception {
            process.close();
        }
    }

    private static final String READY = "Trestle server listening on ";

    @Test
    void anEditOnOneWatchingLaptopReachesAnotherAndIdleWatchesCostNothing() throws Exception {
        int edits = Integer.getInteger("trestle.bench.push.edits", 1000);
        int idleSeconds = Integer.getInteger("trestle.bench.push.idle", 60);
        Path dir = DIR.resolve("push");
        try (Server server = Server.start(dir)) {
            String url = server.url().toString();
            String a = dir.resolve("a").toString();
            String b = dir.resolve("b").toString();
            Launched.run(dir.resolve("a.log"), "trestle-sync", "--data-dir", a, "register", "--server", url, "--code",
                    "PUSH-A", "--enrollment-key", "bench-key");
            Launched.run(dir.resolve("b.log"), "trestle-sync", "--data-dir", b, "register", "--server", url, "--code",
                    "PUSH-B", "--enrollment-key", "bench-key");
            String uuid = BenchClient.JSON.readTree(Launched.run(dir.resolve("a.log"), "trestle-sync", "--data-dir", a,
                    "--json", "put", "Material", "code=PUSH-1", "name=Pushed", "unit=kg", "unitPrice=1.00"))
                    .path("uuid").asText();
            Launched.run(dir.resolve("a.log"), "trestle-sync", "--data-dir", a, "sync");

            try (Launched watchA = Launched.start(dir.resolve("a.log"), "trestle-sync", "--data-dir", a, "watch",
                    "--commands");
                    Launched watchB = Launched.start(dir.resolve("b.log"), "trestle-sync", "--data-dir", b, "watch")) {
                watchA.await(l -> l.contains(" watching: "), 3, TimeUnit.MINUTES);
                watchB.await(l -> l.contains(" watching: "), 3, TimeUnit.MINUTES);
                // B's first exchanges bring the material; then both are quiet
                watchB.await(l -> l.matches(".* received [1-9][0-9]*$"), 2, TimeUnit.MINUTES);
                Thread.sleep(3000);
                watchA.skipAll();
                watchB.skipAll();

                long[] latencies = new long[edits];
                for (int i = 0; i < edits; i++) {
                    Instant sent = Instant.now();
                    watchA.send("put Material --uuid " + uuid + " unitPrice=" + (2 + i) + ".00");
                    Launched.Line arrived = watchB.await(l -> l.matches(".* received [1-9][0-9]*$"), 30, TimeUnit.SECONDS);
                    Instant appliedAt = Instant.parse(arrived.text().substring(0, arrived.text().indexOf(' ')));
                    latencies[i] = Duration.between(sent, appliedAt).toNanos();
                }
                double p50 = Report.percentile(latencies, 50);
                double p99 = Report.percentile(latencies, 99);

                // then nothing happens for a minute: what do the two watches cost?
                Thread.sleep(5000);
                long cpuA = watchA.cpuMillis();
                long cpuB = watchB.cpuMillis();
                long t0 = System.nanoTime();
                Thread.sleep(idleSeconds * 1000L);
                double idle = (System.nanoTime() - t0) / 1e6;
                double shareA = (watchA.cpuMillis() - cpuA) / idle * 100;
                double shareB = (watchB.cpuMillis() - cpuB) / idle * 100;
                watchA.send("list Material");
                String last = watchA.await(l -> l.startsWith(uuid), 30, TimeUnit.SECONDS).text();
                assertTrue(last.contains((edits + 1) + ".00"), "A holds its last edit: " + last);

                FIGURES.put("edits", edits).put("p50_ms", p50).put("p99_ms", p99).put("idle_seconds", idle / 1000)
                        .put("idle_cpu_percent_a", shareA).put("idle_cpu_percent_b", shareB);
                String w = "two laptops watching (bin/trestle-sync watch), a server, three processes";
                ROWS.add(new Report.Row(w, edits + " edits typed into A's watch one after another: from the edit to B's "
                        + "exchange that applied it, p50 / p99", String.format("%.0f / %.0f ms", p50, p99),
                        "p50 < 250 ms, p99 < 1 s", Report.met(p50 < 250 && p99 < 1000)));
                ROWS.add(new Report.Row(w, "CPU of each idle watch over " + Math.round(idle / 1000) + " s without changes (A / B)",
                        String.format("%.2f %% / %.2f %% of a core", shareA, shareB), "< 1 % of a core",
                        Report.met(shareA < 1 && shareB < 1)));
            }
        }
    }

    @Test
    void twoThousandLaptopsWaitingAtOnce() throws Exception {
        int waiters = Integer.getInteger("trestle.bench.waiters", 2000);
        Path dir = DIR.resolve("waiters");
        try (Server server = Server.start(dir)) {
            URI url = server.url();
            List<SimulatedNode> nodes = new ArrayList<>();
            for (int i = 0; i < waiters; i++) {
                SimulatedNode n = new SimulatedNode(url, String.format("WAIT-%04d", i)).register("bench-key");
                n.drain();
                nodes.add(n);
            }
            long threadsIdle = server.process().status("Threads");
            long heapIdle = BenchRuntime.metric(url, "trestle_jvm_heap_used_bytes");
            // the waits open a quarter at a time; the threads are counted at each step
            List<CompletableFuture<HttpResponse<String>>> open = new ArrayList<>();
            List<String> threadsBySteps = new ArrayList<>();
            long threadsWaiting = 0;
            long threadsFirst = 0;
            for (int step = 1; step <= 4; step++) {
                for (SimulatedNode n : nodes.subList((step - 1) * waiters / 4, step * waiters / 4)) {
                    open.add(BenchClient.HTTP.sendAsync(HttpRequest.newBuilder(url.resolve("/api/sync/wait?timeout=60"))
                            .timeout(Duration.ofSeconds(120)).header("Authorization", "Bearer " + n.token).GET().build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                long waiting = 0;
                while (System.nanoTime() < deadline
                        && (waiting = BenchRuntime.metric(url, "trestle_waiting_requests")) < open.size()) {
                    Thread.sleep(200);
                }
                assertEquals(open.size(), waiting, "every laptop's wait is held open");
                Thread.sleep(2000);
                threadsWaiting = server.process().status("Threads");
                threadsBySteps.add(String.format("%,d: %d", open.size(), threadsWaiting));
                threadsFirst = step == 1 ? threadsWaiting : threadsFirst;
            }
            long rssWaiting = server.process().status("VmRSS");
            long heapWaiting = 0;
            for (int i = 0; i < 5; i++) { // the gauge samples a moving heap: take the highest of a few
                heapWaiting = Math.max(heapWaiting, BenchRuntime.metric(url, "trestle_jvm_heap_used_bytes"));
                Thread.sleep(200);
            }
            // one change from the office wakes every one of them
            SimulatedNode office = new SimulatedNode(url, "OFFICE").register("bench-key");
            ObjectNode c = office.change("Material", java.util.UUID.randomUUID().toString(), "INSERT");
            c.putObject("data").put("code", "WAKE").put("name", "Wakes everyone").put("unit", "kg").put("unitPrice", "1.00");
            long t0 = System.nanoTime();
            office.exchange(List.of(c));
            int woken = 0;
            for (CompletableFuture<HttpResponse<String>> f : open) {
                HttpResponse<String> r = f.get(2, TimeUnit.MINUTES);
                if (r.statusCode() == 200 && BenchClient.JSON.readTree(r.body()).path("pending_changes").asLong() >= 1) {
                    woken++;
                }
            }
            double wakeAll = (System.nanoTime() - t0) / 1e6;
            assertEquals(waiters, woken, "every waiting laptop was told of the change");

            FIGURES.put("waiters", waiters).put("threads_idle", threadsIdle).put("threads_waiting", threadsWaiting)
                    .put("threads_by_waiters", String.join(", ", threadsBySteps))
                    .put("heap_idle_mib", heapIdle >> 20).put("heap_waiting_mib", heapWaiting >> 20)
                    .put("rss_waiting_mib", rssWaiting >> 10).put("wake_all_ms", wakeAll);
            String w = String.format("%,d", waiters) + " laptops waiting at once on one server (bin/trestle-server, its own process)";
            ROWS.add(new Report.Row(w, "server heap in use with every wait open (sampled; garbage included)",
                    (heapWaiting >> 20) + " MiB (" + (heapIdle >> 20) + " MiB with none open)", "< 512 MiB",
                    Report.met(heapWaiting >> 20 < 512)));
            ROWS.add(new Report.Row(w, "server threads with no wait open, then with waits open (waits: threads)",
                    threadsIdle + "; " + String.join(", ", threadsBySteps)
                            + " (HTTP pool at most 200, a wait holds none)", "not growing with waiters",
                    Report.met(threadsWaiting <= threadsFirst + 16)));
            ROWS.add(new Report.Row(w, "server process RSS with every wait open", (rssWaiting >> 10) + " MiB", "", ""));
            ROWS.add(new Report.Row(w, "one change wakes them all: from the exchange that brought it to the last answer",
                    String.format("%.0f ms", wakeAll), "", ""));
        }
    }
}
