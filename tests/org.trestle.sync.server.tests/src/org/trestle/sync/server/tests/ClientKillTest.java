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
