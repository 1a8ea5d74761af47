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
    private final List<String> extra;
    private int starts;
    private Process process;
    private Path log;
    URI url;

    /** Starts a server on plain HTTP on loopback, on a free port, over the data directory. */
    ServerProcess(Path data, Path logs) throws Exception {
        this(data, logs, List.of());
    }

    /** The same, with further options (a database, for example). */
    ServerProcess(Path data, Path logs, List<String> extra) throws Exception {
        this.data = data;
        this.logs = logs;
        this.extra = List.copyOf(extra);
        start();
    }

    private void start() throws Exception {
        log = logs.resolve(data.getFileName() + "-" + starts++ + ".log");
        List<String> command = new ArrayList<>(List.of("bash", ROOT.resolve("bin/trestle-server").toString(), "--http",
                "--port", "0", "--host", "127.0.0.1", "--data-dir", data.toString(), "--enrollment-key",
                "test-enrollment-key", "--admin-token", "test-admin-token"));
        command.addAll(extra);
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
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
        kill();
        start();
    }

    /** SIGKILL, as a power cut would. */
    void kill() throws Exception {
        process.destroyForcibly();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server died");
    }

    /** Starts the server again after {@link #kill()} (its port changes). */
    void restart() throws Exception {
        start();
    }

    /** @return what the server wrote to its console since it last started */
    String output() {
        return read(log);
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
