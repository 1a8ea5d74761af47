package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.trestle.sync.api.SyncEngineFactory;
import org.trestle.sync.api.EntityWrite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The soak: 50 laptops make random edits for 10 minutes and synchronize through a
 * proxy that breaks exchanges at random, against a real server process. The server's
 * heap and open files are sampled from its metrics throughout. Afterwards, with the
 * network healthy, every queue is drained and every laptop equals the server.
 * <p>
 * Not part of bin/test: run it with
 * {@code ./mvnw verify -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false -Dtrestle.test.vmargs="-Xmx4g -Dtrestle.soak=true"}
 * (add {@code -Dtrestle.soak.minutes=N -Dtrestle.soak.clients=N} to change its size).
 */
@EnabledIfSystemProperty(named = "trestle.soak", matches = "true")
class SoakTest {

    private static final int CLIENTS = Integer.getInteger("trestle.soak.clients", 50);
    private static final int MINUTES = Integer.getInteger("trestle.soak.minutes", 10);
    private static final long SEED = Long.getLong("trestle.soak.seed", 20261125L);

    /** One sample of the server process. */
    private record Sample(long atMillis, long heapUsed, long openFiles, long threads) {
    }

    @Test
    void laptopsEditingThroughABrokenNetworkForMinutesLeaveNothingBehind() throws Exception {
        SyncEngineFactory factory = TestLaptop.engineFactory();
        Path work = Files.createTempDirectory("trestle-soak");
        List<TestLaptop> laptops = new ArrayList<>();
        try (ServerProcess server = new ServerProcess(work.resolve("server"), work);
                FaultProxy proxy = new FaultProxy(server.url.getPort(), SEED)) {
            URI viaProxy = URI.create("http://127.0.0.1:" + proxy.port());
            for (int i = 0; i < CLIENTS; i++) {
                TestLaptop l = new TestLaptop(factory, work.resolve("laptop-" + i), String.format("SOAK-%02d", i));
                l.register(server.url);
                l.base = viaProxy;
                laptops.add(l);
            }
            List<String> pool = Collections.synchronizedList(new ArrayList<>());
            Set<String> deleted = ConcurrentHashMap.newKeySet();
            AtomicLong edits = new AtomicLong();
            AtomicLong exchanges = new AtomicLong();
            List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
            long start = System.currentTimeMillis();
            long deadline = start + TimeUnit.MINUTES.toMillis(MINUTES);
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        Map<String, Long> m = metrics(server.url);
                        samples.add(new Sample(System.currentTimeMillis() - start, m.get("trestle_jvm_heap_used_bytes"),
                                m.get("trestle_process_open_files"), m.get("trestle_jvm_threads")));
                        Thread.sleep(5_000);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // the next sample comes
                    }
                }
            });
            ExecutorService workers = Executors.newFixedThreadPool(4);
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                Random random = new Random(SEED + w);
                running.add(workers.submit(() -> {
                    while (System.currentTimeMillis() < deadline) {
                        TestLaptop l = laptops.get(random.nextInt(laptops.size()));
                        synchronized (l) {
                            edit(l, random, pool, deleted);
                            edits.incrementAndGet();
                            for (int n = random.nextInt(2); n >= 0; n--) {
                                l.exchange();
                                exchanges.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(MINUTES + 5L, TimeUnit.MINUTES);
            }
            workers.shutdown();

            proxy.faults(false);
            for (int pass = 0; pass < 3; pass++) {
                for (TestLaptop l : laptops) {
                    l.syncToCompletion();
                }
            }
            sampler.interrupt();
            for (TestLaptop l : laptops) {
                assertEquals(0L, l.engine.syncManager().pendingCount(l.engine.syncManager().serverNodeId()), l.code + " has nothing left to send");
            }
            for (JsonNode n : admin(server.url, "/api/admin/nodes").path("nodes")) {
                assertEquals(0L, n.path("pending_changes").asLong(), n.path("code").asText() + ": the server's queue is drained");
            }
            Map<String, String> truth;
            try (TestLaptop reader = new TestLaptop(factory, work.resolve("reader"), "SOAK-READER")) {
                reader.register(server.url);
                reader.base = server.url;
                reader.syncToCompletion();
                truth = reader.state("Material");
            }
            for (TestLaptop l : laptops) {
                assertEquals(truth, l.state("Material"), l.code + " equals the server");
            }
            for (String uuid : deleted) {
                assertTrue(!truth.containsKey(uuid), "a deleted material stays deleted: " + uuid);
            }

            List<Sample> all = List.copyOf(samples);
            assertTrue(all.size() >= 6, "the server was sampled: " + all.size());
            List<Sample> first = all.subList(all.size() / 6, all.size() / 3);
            List<Sample> last = all.subList(all.size() * 2 / 3, all.size());
            long firstFiles = first.stream().mapToLong(Sample::openFiles).max().orElseThrow();
            long lastFiles = last.stream().mapToLong(Sample::openFiles).max().orElseThrow();
            long firstHeapLow = first.stream().mapToLong(Sample::heapUsed).min().orElseThrow();
            long lastHeapLow = last.stream().mapToLong(Sample::heapUsed).min().orElseThrow();
            long firstThreads = first.stream().mapToLong(Sample::threads).max().orElseThrow();
            long lastThreads = last.stream().mapToLong(Sample::threads).max().orElseThrow();
            Map<FaultProxy.Fault, Integer> injected = proxy.injected();
            System.out.println("SOAK " + CLIENTS + " laptops, " + MINUTES + " min: " + edits.get() + " edits, "
                    + exchanges.get() + " exchanges, " + pool.size() + " materials made, " + deleted.size() + " deleted, "
                    + "faults " + injected + "; server open files " + firstFiles + " -> " + lastFiles + ", heap low "
                    + (firstHeapLow >> 20) + " -> " + (lastHeapLow >> 20) + " MiB, threads " + firstThreads + " -> "
                    + lastThreads + "; samples " + all.stream().map(s -> (s.atMillis() / 1000) + "s:" + (s.heapUsed() >> 20)
                    + "MiB/" + s.openFiles() + "fd").toList());
            assertTrue(lastFiles <= firstFiles + 16, "open files stay flat: " + firstFiles + " -> " + lastFiles);
            assertTrue(lastThreads <= firstThreads + 16, "threads stay flat: " + firstThreads + " -> " + lastThreads);
            assertTrue(lastHeapLow <= firstHeapLow * 2 + (64 << 20), "the heap after collections stays flat: "
                    + (firstHeapLow >> 20) + " -> " + (lastHeapLow >> 20) + " MiB");
        } finally {
            laptops.forEach(TestLaptop::close);
        }
    }

    private static void edit(TestLaptop l, Random random, List<String> pool, Set<String> deleted) {
        Map<String, String> live = l.state("Material");
        List<String> candidates;
        synchronized (pool) {
            candidates = pool.stream().filter(live::containsKey).toList();
        }
        int op = random.nextInt(10);
        if (op < 3 || candidates.isEmpty()) {
            String uuid = UUID.randomUUID().toString();
            l.engine.entities().put("Material", uuid, JsonNodeFactory.instance.objectNode()
                    .put("code", l.code + "-" + uuid.substring(0, 8)).put("name", l.code + " made").put("unit", "kg")
                    .put("unitPrice", random.nextInt(10_000) / 100 + ".00"));
            pool.add(uuid);
        } else if (op < 9) {
            String uuid = candidates.get(random.nextInt(candidates.size()));
            l.engine.entities().put("Material", uuid, JsonNodeFactory.instance.objectNode().put("name", l.code + " edit "
                    + random.nextInt(1000)).put("unitPrice", random.nextInt(10_000) / 100 + ".50"));
        } else {
            String uuid = candidates.get(random.nextInt(candidates.size()));
            l.engine.entities().putAll(List.of(EntityWrite.delete("Material", uuid)));
            deleted.add(uuid);
        }
    }

    private static Map<String, Long> metrics(URI server) throws Exception {
        HttpResponse<String> r = TestLaptop.HTTP.send(HttpRequest.newBuilder(server.resolve("/api/admin/metrics"))
                .header("Authorization", "Bearer test-admin-token").GET().build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Long> out = new TreeMap<>();
        for (String line : r.body().split("\n")) {
            if (!line.startsWith("#") && line.indexOf(' ') > 0 && !line.contains("{")) {
                out.put(line.substring(0, line.indexOf(' ')), (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1)));
            }
        }
        return out;
    }

    private static JsonNode admin(URI server, String path) throws Exception {
        HttpResponse<String> r = TestLaptop.HTTP.send(HttpRequest.newBuilder(server.resolve(path))
                .header("Authorization", "Bearer test-admin-token").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return ProtocolClient.JSON.readTree(r.body());
    }
}
