package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.trestle.sync.api.SyncEngineFactory;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The server process killed with SIGKILL while laptops exchange, three times, and started
 * again on the same data directory each time: its Derby database opens, and afterwards
 * every laptop holds every material any laptop made, the same as the server.
 */
class ServerKillTest {

    @Test
    void aServerKilledDuringExchangesRestartsAndLosesNothing() throws Exception {
        SyncEngineFactory factory = TestLaptop.engineFactory();
        Path work = Files.createTempDirectory("trestle-kill");
        ServerProcess server = new ServerProcess(work.resolve("server"), work);
        URI url = server.url;
        List<TestLaptop> laptops = new ArrayList<>();
        Map<String, Throwable> failures = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                TestLaptop l = new TestLaptop(factory, work.resolve("laptop-" + i), "KILL-" + i);
                l.register(url);
                l.base = url;
                laptops.add(l);
            }
            for (TestLaptop l : laptops) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int n = 0; running.get(); n++) {
                            if (n < 40) {
                                l.engine.entities().put("Material", UUID.randomUUID().toString(),
                                        JsonNodeFactory.instance.objectNode().put("code", l.code + "-" + n)
                                                .put("name", "Material " + n).put("unit", "kg").put("unitPrice", "1.00"));
                            }
                            try {
                                l.exchange();
                            } catch (java.io.IOException | AssertionError e) {
                                // the server is gone or answering 5xx while it dies: try again
                            }
                            Thread.sleep(20);
                        }
                    } catch (Throwable t) {
                        failures.put(l.code, t);
                    }
                }));
            }
            for (int kill = 1; kill <= 3; kill++) {
                Thread.sleep(1500);
                server.killAndRestart();
                url = server.url;
                for (TestLaptop l : laptops) {
                    l.base = url;
                }
            }
            Thread.sleep(1500);
            running.set(false);
            for (Thread t : threads) {
                t.join(60_000);
            }
            assertTrue(failures.isEmpty(), () -> "laptops failed: " + failures);
            int broken = laptops.stream().mapToInt(l -> l.broken).sum();
            System.out.println("KILLS 3 server kills, " + broken + " exchanges broken by them");
            assertTrue(broken > 0, "the kills interrupted exchanges");
            for (int pass = 0; pass < 3; pass++) {
                for (TestLaptop l : laptops) {
                    l.syncToCompletion();
                }
            }
            try (TestLaptop reader = new TestLaptop(factory, work.resolve("reader"), "KILL-READER")) {
                reader.register(url);
                reader.base = url;
                reader.syncToCompletion();
                Map<String, String> truth = reader.materials();
                assertEquals(120, truth.size(), "every material the laptops made reached the server");
                for (TestLaptop l : laptops) {
                    assertEquals(truth, l.materials(), l.code + " equals the server");
                }
            }
            assertNotNull(url);
        } finally {
            running.set(false);
            server.close();
            laptops.forEach(TestLaptop::close);
        }
    }

    /**
     * A new laptop's initial load of 6,000 materials, with the server killed while the
     * laptop downloads it: after the restart the laptop continues and holds each
     * material exactly once.
     */
    @Test
    void aServerKilledDuringAnInitialLoadRestartsAndTheLoadCompletes() throws Exception {
        SyncEngineFactory factory = TestLaptop.engineFactory();
        Path work = Files.createTempDirectory("trestle-kill-load");
        try (ServerProcess server = new ServerProcess(work.resolve("server"), work)) {
            Map<String, String> truth = TestLaptop.seedServer(factory, server.url, work.resolve("seed"), 6000);
            try (TestLaptop fresh = new TestLaptop(factory, work.resolve("fresh"), "FRESH")) {
                fresh.register(server.url);
                fresh.base = server.url;
                AtomicBoolean running = new AtomicBoolean(true);
                Map<String, Throwable> failures = new ConcurrentHashMap<>();
                Thread downloader = Thread.ofPlatform().start(() -> {
                    try {
                        while (running.get()) {
                            try {
                                fresh.exchange();
                            } catch (java.io.IOException | AssertionError e) {
                                // the server is gone or dying: try again
                            }
                        }
                    } catch (Throwable t) {
                        failures.put(fresh.code, t);
                    }
                });
                long held = 0;
                for (int i = 0; i < 600 && held == 0; i++) {
                    Thread.sleep(20);
                    // a new laptop keeps its load until it is all here: what it kept counts as held
                    held = fresh.engine.read(em -> em.createQuery("select count(m) from Material m", Long.class)
                            .getSingleResult())
                            + ((org.trestle.sync.core.internal.NodeEngine) fresh.engine).keptLoad().values().stream()
                                    .mapToLong(Long::longValue).sum();
                }
                server.killAndRestart();
                fresh.base = server.url;
                running.set(false);
                downloader.join(60_000);
                assertTrue(failures.isEmpty(), () -> "the laptop failed: " + failures);
                long atKill = held;
                System.out.println("KILLS server killed during an initial load, " + atKill + " of " + truth.size()
                        + " materials received when it was killed");
                assertTrue(atKill > 0 && atKill < truth.size(), "the kill came in the middle of the load: " + atKill);
                fresh.syncToCompletion();
                fresh.syncToCompletion();
                assertEquals(truth, fresh.materials(), "every material once, none lost, none twice");
            }
        }
    }
}
