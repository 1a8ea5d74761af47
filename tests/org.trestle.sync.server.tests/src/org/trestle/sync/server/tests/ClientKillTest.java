package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.trestle.sync.api.SyncEngineFactory;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A laptop's sync process (bin/trestle-sync, the workbench's runtime without a display)
 * killed with SIGKILL while it downloads and applies an initial load, three times, and
 * started again each time: its Derby database opens, and the laptop ends with every
 * material of the server exactly once.
 */
class ClientKillTest {

    private static final int MATERIALS = 8000;

    @Test
    void aLaptopKilledWhileApplyingPacketsRestartsAndEndsEqualToTheServer() throws Exception {
        SyncEngineFactory factory = TestLaptop.engineFactory();
        Path work = Files.createTempDirectory("trestle-client-kill");
        try (ServerProcess server = new ServerProcess(work.resolve("server"), work)) {
            Map<String, String> truth = TestLaptop.seedServer(factory, server.url, work.resolve("seed"), MATERIALS);
            Path laptop = work.resolve("laptop");
            assertEquals(0, run(laptop, work.resolve("register.out"), "register", "--server", server.url.toString(),
                    "--code", "KILLED-LAPTOP", "--enrollment-key", "test-enrollment-key"));
            // how long the runtime takes to start, so that the kills land while it applies
            long t0 = System.nanoTime();
            assertEquals(0, run(laptop, work.resolve("status.out"), "status"));
            long startMillis = (System.nanoTime() - t0) / 1_000_000;

            List<Integer> heldAfterKills = new ArrayList<>();
            for (int kill = 0; kill < 3; kill++) {
                Process sync = ServerProcess.cli(laptop, work.resolve("sync-" + kill + ".out"), "sync");
                Thread.sleep(startMillis + 300L + 700L * kill);
                boolean finished = !sync.isAlive();
                sync.destroyForcibly();
                assertTrue(sync.waitFor(30, TimeUnit.SECONDS));
                int held = list(laptop, work.resolve("list-" + kill + ".out")).size();
                heldAfterKills.add(finished ? -held : held);
            }
            System.out.println("KILLS laptop sync process killed 3 times; materials held after each kill (negative: "
                    + "the sync had ended before the kill): " + heldAfterKills + " of " + MATERIALS);
            assertTrue(heldAfterKills.stream().anyMatch(h -> h >= 0 && h < MATERIALS),
                    "at least one kill came before the load was complete: " + heldAfterKills);

            assertEquals(0, run(laptop, work.resolve("sync-final.out"), "sync"),
                    () -> ServerProcess.read(work.resolve("sync-final.out.err")));
            assertEquals(truth, list(laptop, work.resolve("list-final.out")), "every material once, none lost");
        }
    }

    /**
     * A new laptop keeps its initial load as it arrives and writes it into its tables once
     * it is all here. Killed while it writes, it has committed none of that write; opened
     * again, it writes what it kept, and ends with every material exactly once.
     */
    @Test
    void aLaptopKilledWhileWritingItsInitialLoadWritesItWhenItOpensAgain() throws Exception {
        SyncEngineFactory factory = TestLaptop.engineFactory();
        Path work = Files.createTempDirectory("trestle-client-kill-write");
        try (ServerProcess server = new ServerProcess(work.resolve("server"), work)) {
            Map<String, String> truth = TestLaptop.seedServer(factory, server.url, work.resolve("seed"), MATERIALS);
            // the kill must land between the write's start and its commit: a laptop for each try
            List<String> tries = new ArrayList<>();
            Path killed = null;
            for (int attempt = 0; attempt < 4 && killed == null; attempt++) {
                Path laptop = work.resolve("laptop-" + attempt);
                assertEquals(0, run(laptop, work.resolve("register-" + attempt + ".out"), "register", "--server",
                        server.url.toString(), "--code", "WRITING-" + attempt, "--enrollment-key", "test-enrollment-key"));
                Process sync = ServerProcess.cli(laptop, work.resolve("sync-" + attempt + ".out"), "sync");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (sync.isAlive() && !log(laptop).contains(WRITE_STARTS) && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
                sync.destroyForcibly();
                assertTrue(sync.waitFor(30, TimeUnit.SECONDS));
                String log = log(laptop);
                boolean midWrite = log.contains(WRITE_STARTS) && !log.contains(WRITE_ENDS);
                tries.add(midWrite ? "killed while writing" : log.contains(WRITE_ENDS) ? "written before the kill"
                        : "killed before the write");
                if (midWrite) {
                    killed = laptop;
                }
            }
            System.out.println("KILLS laptop killed while writing its kept initial load: " + tries);
            assertTrue(killed != null, "a kill landed while the kept load was written: " + tries);

            // opened again (here to list its materials), it writes what it kept: the whole load
            assertEquals(truth, list(killed, work.resolve("list-killed.out")), "every material once, none lost");
            String after = log(killed);
            assertEquals(2, after.split(java.util.regex.Pattern.quote(WRITE_STARTS), -1).length - 1,
                    "the write began again when the laptop opened: " + after);
            assertTrue(after.contains(WRITE_ENDS), after);
            assertEquals(0, run(killed, work.resolve("sync-after.out"), "sync"),
                    () -> ServerProcess.read(work.resolve("sync-after.out.err")));
            assertEquals(truth, list(killed, work.resolve("list-after.out")), "nothing came twice");
        }
    }

    private static final String WRITE_STARTS = "Writing the initial load's " + MATERIALS + " kept entities";
    private static final String WRITE_ENDS = "The initial load's " + MATERIALS + " entities were written";

    /** @return the laptop's log files as one text */
    private static String log(Path laptop) throws Exception {
        Path logs = laptop.resolve("logs");
        if (!Files.isDirectory(logs)) {
            return "";
        }
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(logs)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList()) {
                all.append(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }

    private static int run(Path laptop, Path out, String... args) throws Exception {
        Process p = ServerProcess.cli(laptop, out, args);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bin/trestle-sync " + String.join(" ", args) + " ended");
        return p.exitValue();
    }

    /** @return uuid to code of the laptop's live materials, as bin/trestle-sync lists them */
    private static Map<String, String> list(Path laptop, Path out) throws Exception {
        assertEquals(0, run(laptop, out, "--json", "list", "Material"), () -> ServerProcess.read(
                out.resolveSibling(out.getFileName() + ".err")));
        Map<String, String> materials = new TreeMap<>();
        for (JsonNode m : ProtocolClient.JSON.readTree(out.toFile())) {
            String previous = materials.put(m.path("uuid").asText(), m.path("data").path("code").asText());
            assertEquals(null, previous, "listed once: " + m);
        }
        return materials;
    }
}
