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
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.trestle.sync.api.SyncEngineFactory;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The server process killed with SIGKILL while laptops exchange, three times, and started
 * again on the same data directory each time: its Derby database opens, and afterwards
 * every laptop holds every material any laptop made, the same as the server.
 */
class ServerKillTest {

    private static final Path ROOT = Path.of(System.getProperty("trestle.root", "../..")).toAbsolutePath().normalize();

    private static Process start(Path data, Path log) throws Exception {
        return new ProcessBuilder("bash", ROOT.resolve("bin/trestle-server").toString(), "--http", "--port", "0",
                "--host", "127.0.0.1", "--data-dir", data.toString(), "--enrollment-key", "test-enrollment-key",
                "--admin-token", "test-admin-token").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static URI waitForUrl(Process server, Path log) throws Exception {
        for (int i = 0; i < 1200; i++) {
            String url = Files.readAllLines(log).stream().filter(l -> l.startsWith("Trestle server listening on "))
                    .map(l -> l.substring("Trestle server listening on ".length()).trim()).findFirst().orElse(null);
            if (url != null) {
                return URI.create(url);
            }
            assertTrue(server.isAlive(), () -> "the server stopped: " + read(log));
            Thread.sleep(100);
        }
        throw new AssertionError("the server did not start: " + read(log));
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static Map<String, String> materials(TestLaptop l) {
        Map<String, String> out = new TreeMap<>();
        for (var e : l.engine.listLive("Material")) {
            out.put(e.getKey().getUuid(), e.getValue().path("code").asText());
        }
        return out;
    }

    @Test
    void aServerKilledDuringExchangesRestartsAndLosesNothing() throws Exception {
        BundleContext context = FrameworkUtil.getBundle(ServerKillTest.class).getBundleContext();
        SyncEngineFactory factory = context.getService(context.getServiceReference(SyncEngineFactory.class));
        Path work = Files.createTempDirectory("trestle-kill");
        Path data = work.resolve("server");
        Path log = work.resolve("server-0.log");
        Process server = start(data, log);
        URI url = waitForUrl(server, log);
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
                                l.engine.putEntity("Material", UUID.randomUUID().toString(),
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
                server.destroyForcibly();
                assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the server died");
                log = work.resolve("server-" + kill + ".log");
                server = start(data, log);
                url = waitForUrl(server, log);
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
                Map<String, String> truth = materials(reader);
                assertEquals(120, truth.size(), "every material the laptops made reached the server");
                for (TestLaptop l : laptops) {
                    assertEquals(truth, materials(l), l.code + " equals the server");
                }
            }
            assertNotNull(url);
        } finally {
            running.set(false);
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
            laptops.forEach(TestLaptop::close);
        }
    }
}
