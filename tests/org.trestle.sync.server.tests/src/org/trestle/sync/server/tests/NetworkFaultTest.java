package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.trestle.sync.api.SyncEngineFactory;
import org.trestle.sync.api.EntityWrite;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * Three laptops edit the same widgets and synchronize through a proxy that breaks
 * exchanges at random (dropped before or after the server got the request, truncated
 * answers, delays, replays). Afterwards, with the network healthy again, every laptop
 * holds exactly what the server holds, no delete was undone, and the server applied no
 * change twice. Replay a failure with -Dtrestle.faults.seed=N (through trestle.test.vmargs).
 */
class NetworkFaultTest {

    /** Seeds to run; one given with -Dtrestle.faults.seed=N replaces them. */
    private static final long[] SEEDS = Long.getLong("trestle.faults.seed") != null
            ? new long[] { Long.getLong("trestle.faults.seed") } : new long[] { 20261125L, 7L, 4242L };
    private static final int ROUNDS = Integer.getInteger("trestle.faults.rounds", 60);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void laptopsEditingTheSameWidgetsThroughABrokenNetworkEndUpEqual() throws Exception {
        for (long seed : SEEDS) {
            run(seed);
        }
    }

    private void run(long seed) throws Exception {
        final long SEED = seed;
        URI server = RunningServer.uri();
        SyncEngineFactory factory = TestLaptop.engineFactory();
        Path dir = Files.createTempDirectory("trestle-faults-" + SEED + "-");
        Random random = new Random(SEED);
        String failure = "seed " + SEED + " (replay with -Dtrestle.faults.seed=" + SEED + ")";
        List<TestLaptop> laptops = new ArrayList<>();
        long appliedBefore = metric(server, "trestle_changes_applied_total");
        int soleEditor = 0;
        int severalEditors = 0;
        try (FaultProxy proxy = new FaultProxy(server.getPort(), SEED)) {
            URI viaProxy = URI.create("http://127.0.0.1:" + proxy.port());
            for (int i = 0; i < 3; i++) {
                TestLaptop l = new TestLaptop(factory, dir.resolve("laptop-" + i), "FAULT-" + UUID.randomUUID().toString().substring(0, 8));
                l.register(server);
                l.base = viaProxy;
                laptops.add(l);
            }
            List<String> pool = new ArrayList<>();
            Set<String> deleted = new HashSet<>();
            // per widget: each laptop's last edit of it, as "name/qty"
            Map<String, Map<String, String>> lastEdits = new HashMap<>();
            long edits = 0;
            for (int round = 0; round < ROUNDS; round++) {
                TestLaptop l = laptops.get(random.nextInt(laptops.size()));
                int op = random.nextInt(10);
                Map<String, String> live = l.widgets();
                List<String> candidates = pool.stream().filter(live::containsKey).toList();
                if (op < 3 || candidates.isEmpty()) {
                    String uuid = new UUID(random.nextLong(), random.nextLong()).toString();
                    l.engine.entities().put("Widget", uuid, JsonNodeFactory.instance.objectNode()
                            .put("name", l.code + " made " + round).put("qty", round));
                    pool.add(uuid);
                    lastEdits.computeIfAbsent(uuid, u -> new HashMap<>()).put(l.code, l.code + " made " + round + "/" + round);
                    edits++;
                } else if (op < 9) {
                    String uuid = candidates.get(random.nextInt(candidates.size()));
                    int qty = random.nextInt(1000);
                    l.engine.entities().put("Widget", uuid, JsonNodeFactory.instance.objectNode()
                            .put("name", l.code + " edit " + round).put("qty", qty));
                    lastEdits.computeIfAbsent(uuid, u -> new HashMap<>()).put(l.code, l.code + " edit " + round + "/" + qty);
                    edits++;
                } else {
                    String uuid = candidates.get(random.nextInt(candidates.size()));
                    l.engine.entities().putAll(List.of(EntityWrite.delete("Widget", uuid)));
                    deleted.add(uuid);
                    edits++;
                }
                for (int n = random.nextInt(3); n >= 0; n--) {
                    laptops.get(random.nextInt(laptops.size())).exchange();
                }
            }

            proxy.faults(false);
            for (int pass = 0; pass < 3; pass++) {
                for (TestLaptop l : laptops) {
                    l.syncToCompletion();
                }
            }
            try (TestLaptop reader = new TestLaptop(factory, dir.resolve("reader"), "FAULT-READER-" + SEED % 1000
                    + UUID.randomUUID().toString().substring(0, 4))) {
                reader.register(server);
                reader.base = server;
                reader.syncToCompletion();
                Map<String, String> truth = reader.widgets();
                Map<String, String> ours = new TreeMap<>();
                truth.forEach((k, v) -> {
                    if (pool.contains(k)) {
                        ours.put(k, v);
                    }
                });
                for (TestLaptop l : laptops) {
                    Map<String, String> held = new TreeMap<>(l.widgets());
                    held.keySet().retainAll(pool);
                    assertEquals(ours, held, l.code + " equals the server; " + failure);
                }
                for (String uuid : deleted) {
                    assertTrue(!truth.containsKey(uuid), "a deleted widget stays deleted: " + uuid + "; " + failure);
                }
                // no committed edit is lost: a widget one laptop alone edited ends as its last edit; one that
                // several edited ends with the name of one of their last edits (a winner, not an older state)
                for (String uuid : pool) {
                    if (deleted.contains(uuid)) {
                        continue;
                    }
                    Map<String, String> editors = lastEdits.get(uuid);
                    String end = truth.get(uuid);
                    if (editors.size() == 1) {
                        soleEditor++;
                        assertEquals(editors.values().iterator().next(), end, "the last edit of " + uuid + "; " + failure);
                    } else {
                        severalEditors++;
                        String name = end == null ? null : end.substring(0, end.lastIndexOf('/'));
                        assertTrue(editors.values().stream().anyMatch(e -> e.substring(0, e.lastIndexOf('/')).equals(name)),
                                uuid + " ends as " + end + ", none of the last edits " + editors + "; " + failure);
                    }
                }
            }
            long applied = metric(server, "trestle_changes_applied_total") - appliedBefore;
            assertTrue(applied <= edits, "the server applied " + applied + " changes of " + edits + " edits: none twice; "
                    + failure);
            Map<FaultProxy.Fault, Integer> injected = proxy.injected();
            System.out.println("FAULTS seed=" + SEED + " rounds=" + ROUNDS + " edits=" + edits + " applied=" + applied
                    + " deleted=" + deleted.size() + " widgets checked against their last edit: " + soleEditor
                    + " edited by one laptop, " + severalEditors + " by several; injected=" + injected);
            assertTrue(injected.keySet().size() >= 5, "every kind of fault was injected: " + injected);
        } finally {
            laptops.forEach(TestLaptop::close);
        }
    }

    private static long metric(URI server, String name) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(server.resolve("/api/admin/metrics"))
                .header("Authorization", "Bearer test-admin-token").GET().build(), HttpResponse.BodyHandlers.ofString());
        for (String line : r.body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new IllegalStateException("no metric " + name);
    }
}
