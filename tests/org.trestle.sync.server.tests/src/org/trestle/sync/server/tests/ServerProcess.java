package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real server, started with bin/trestle-server as an administrator would, and killed as a power cut would. */
final class ServerProcess implements AutoCloseable {

    static final Path ROOT = Path.of(System.getProperty("trestle.root", "../..")).toAbsolutePath().normalize();

    private final Path data;
    private final Path logs;
    private int starts;
    private Process process;
    private Path log;
    URI url;

    /** Starts a server on plain HTTP on loopback, on a free port, over the data directory. */
    ServerProcess(Path data, Path logs) throws Exception {
        this.data = data;
        this.logs = logs;
        start();
    }

    private void start() throws Exception {
        log = logs.resolve("server-" + starts++ + ".log");
        process = new ProcessBuilder("bash", ROOT.resolve("bin/trestle-server").toString(), "--http", "--port", "0",
                "--host", "127.0.0.1", "--data-dir", data.toString(), "--enrollment-key", "test-enrollment-key",
                "--admin-token", "test-admin-token").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        url = null;
        for (int i = 0; i < 1200 && url == null; i++) {
            url = Files.readAllLines(log).stream().filter(l -> l.startsWith("Trestle server listening on "))
                    .map(l -> URI.create(l.substring("Trestle server listening on ".length()).trim())).findFirst()
                    .orElse(null);
            if (url == null) {
                assertTrue(process.isAlive(), () -> "the server stopped: " + read(log));
                Thread.sleep(100);
            }
        }
        assertTrue(url != null, () -> "the server did not start: " + read(log));
    }

    /** SIGKILL, then a start on the same data directory (its port changes). */
    void killAndRestart() throws Exception {
        process.destroyForcibly();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server died");
        start();
    }

    static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    /** Runs bin/trestle-sync on a data directory. */
    static Process cli(Path dataDir, Path output, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", ROOT.resolve("bin/trestle-sync").toString(), "--data-dir",
                dataDir.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(output.resolveSibling(output.getFileName() + ".err").toFile())
                .redirectOutput(output.toFile()).start();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
