package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.trestle.sync.api.SyncEngineFactory;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * Two server processes ({@code bin/trestle-server}) on one PostgreSQL database, behaving
 * as one server: laptops change sides on every exchange, commit concurrently through
 * both, one process is killed with SIGKILL while they exchange, and in the end every
 * laptop holds every material exactly once. Runs in the tests on PostgreSQL only.
 */
class ServerProcessesTest {

    private static Path work;
    private static final List<String> DATABASE = new ArrayList<>();
    private static ServerProcess a;
    private static ServerProcess b;

    /** A database of its own, made on the tests' PostgreSQL, and two processes on it sharing their secrets. */
    @BeforeAll
    static void startTwoProcesses() throws Exception {
        String url = System.getProperty("trestle.server.db-url");
        String user = System.getProperty("trestle.server.db-user");
        Path passwordFile = Path.of(System.getProperty("trestle.server.db-password-file"));
        String name = "trestle_processes_" + Long.toHexString(System.nanoTime());
        Properties login = new Properties();
        login.setProperty("user", user);
        login.setProperty("password", Files.readString(passwordFile).trim());
        try (Connection c = new org.postgresql.Driver().connect(url, login); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        String own = url.substring(0, url.lastIndexOf('/') + 1) + name;
        DATABASE.addAll(List.of("--db-url", own, "--db-user", user, "--db-password-file", passwordFile.toString()));
        work = Files.createTempDirectory("trestle-processes");
        a = new ServerProcess(work.resolve("server-a"), work, DATABASE);
        // the same key seals the nodes' file keys in both processes, as the administrator's guide says
        Files.createDirectories(work.resolve("server-b"));
        Files.copy(work.resolve("server-a/file-key.secret"), work.resolve("server-b/file-key.secret"));
        b = new ServerProcess(work.resolve("server-b"), work, DATABASE);
    }

    @AfterAll
    static void stop() throws Exception {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @Test
    void laptopsAlternatingBetweenTwoProcessesOneKilledLoseNothingAndGetNothingTwice() throws Exception {
        SyncEngineFactory factory = TestLaptop.engineFactory();
        List<TestLaptop> laptops = new ArrayList<>();
        Map<String, Throwable> failures = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        int perLaptop = 60;
        // where the laptops find process B: its old address while it is down, as behind a load balancer
        java.util.concurrent.atomic.AtomicReference<java.net.URI> bAt = new java.util.concurrent.atomic.AtomicReference<>(b.url);
        try {
            for (int i = 0; i < 4; i++) {
                TestLaptop l = new TestLaptop(factory, work.resolve("laptop-" + i), "TWO-" + i);
                l.register(i % 2 == 0 ? a.url : b.url);
                laptops.add(l);
            }
            for (TestLaptop l : laptops) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int n = 0; running.get(); n++) {
                            if (n < perLaptop) {
                                l.engine.entities().put("Material", UUID.randomUUID().toString(),
                                        JsonNodeFactory.instance.objectNode().put("code", l.code + "-" + n)
                                                .put("name", "Material " + n).put("unit", "kg").put("unitPrice", "1.00"));
                            }
                            // no sticky sessions: each exchange goes to the other process
                            l.base = n % 2 == 0 ? a.url : bAt.get();
                            try {
                                l.exchange();
                            } catch (java.io.IOException | AssertionError e) {
                                // that process is gone or answering 5xx while it dies: the next goes to the other
                            }
                            Thread.sleep(10);
                        }
                    } catch (Throwable t) {
                        failures.put(l.code, t);
                    }
                }));
            }
            Thread.sleep(2500);
            b.kill();
            Thread.sleep(1500);
            b.restart();
            bAt.set(b.url);
            Thread.sleep(2500);
            running.set(false);
            for (Thread t : threads) {
                t.join(60_000);
            }
            assertTrue(failures.isEmpty(), () -> "laptops failed: " + failures);
            int broken = laptops.stream().mapToInt(l -> l.broken).sum();
            System.out.println("PROCESSES one of two server processes killed, " + broken + " exchanges broken by it");
            assertTrue(broken > 0, "the kill interrupted exchanges");
            for (int pass = 0; pass < 3; pass++) {
                for (TestLaptop l : laptops) {
                    l.base = pass % 2 == 0 ? b.url : a.url;
                    l.syncToCompletion();
                }
            }
            try (TestLaptop reader = new TestLaptop(factory, work.resolve("reader"), "TWO-READER")) {
                reader.register(b.url);
                reader.base = a.url;
                reader.syncToCompletion();
                Map<String, String> truth = reader.materials();
                assertEquals(laptops.size() * perLaptop, truth.size(), "every material the laptops made reached the server");
                assertEquals(truth.size(), Set.copyOf(truth.values()).size(), "each material once");
                for (TestLaptop l : laptops) {
                    assertEquals(truth, l.materials(), l.code + " holds what the server holds");
                }
            }
        } finally {
            running.set(false);
            laptops.forEach(TestLaptop::close);
        }
    }

    /** A request waiting at one process answers when a change is committed through the other. */
    @Test
    void aWaitAtOneProcessWakesForAChangeCommittedAtTheOther() throws Exception {
        SyncEngineFactory factory = TestLaptop.engineFactory();
        try (TestLaptop waiting = new TestLaptop(factory, work.resolve("waiting"), "WAIT-A");
                TestLaptop writer = new TestLaptop(factory, work.resolve("writer"), "WRITE-B")) {
            waiting.register(a.url);
            waiting.base = a.url;
            waiting.syncToCompletion();
            writer.register(b.url);
            writer.base = b.url;
            writer.syncToCompletion();
            CompletableFuture<HttpResponse<String>> wait = TestLaptop.HTTP.sendAsync(
                    HttpRequest.newBuilder(a.url.resolve("/api/sync/wait?timeout=60"))
                            .header("Authorization", "Bearer " + waiting.token).timeout(Duration.ofSeconds(90)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Thread.sleep(500);
            assertTrue(!wait.isDone(), "nothing is pending for the waiting laptop yet");
            writer.engine.entities().put("Material", UUID.randomUUID().toString(), JsonNodeFactory.instance.objectNode()
                    .put("code", "PUSHED").put("name", "Pushed across").put("unit", "m").put("unitPrice", "3.00"));
            writer.syncToCompletion();
            HttpResponse<String> answer = wait.get(30, TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode(), answer.body());
            assertTrue(answer.body().matches(".*\"pending_changes\"\\s*:\\s*[1-9].*"), answer.body());
            waiting.syncToCompletion();
            assertTrue(waiting.materials().containsValue("PUSHED"), "the change reached the waiting laptop");
        }
    }
}
