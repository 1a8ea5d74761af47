package org.trestle.console.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built products as an administrator and laptops use them: {@code bin/trestle-server}
 * in a process of its own (HTTPS on loopback, its own data directory) and
 * {@code bin/trestle-sync}, the shipped command-line client, as each laptop.
 */
final class Products implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Trestle server listening on (\\S+)");
    private static final Pattern FINGERPRINT = Pattern.compile("fingerprint: ([0-9A-F:]{95})");

    final Path root = Path.of(System.getProperty("trestle.root", "../..")).toAbsolutePath().normalize();
    final Path work;
    private final Process server;
    final String url;
    final String fingerprint;

    /** Starts a server with this enrollment key and admin token, and waits until it listens. */
    Products(Path work, String enrollmentKey, String adminToken) throws IOException, InterruptedException {
        this.work = work;
        Path log = work.resolve("server.log");
        server = new ProcessBuilder(root.resolve("bin/trestle-server").toString(), "--host", "127.0.0.1", "--port", "0",
                "--data-dir", work.resolve("server").toString(), "--enrollment-key", enrollmentKey, "--admin-token",
                adminToken).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String listening = null;
        String print = null;
        long until = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while ((listening == null || print == null) && System.nanoTime() < until && server.isAlive()) {
            Thread.sleep(200);
            String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            Matcher m = LISTENING.matcher(text);
            listening = m.find() ? m.group(1) : null;
            Matcher f = FINGERPRINT.matcher(text);
            print = f.find() ? f.group(1) : null;
        }
        if (listening == null || print == null) {
            server.destroyForcibly();
            throw new IllegalStateException("the server did not start:\n" + Files.readString(log));
        }
        url = listening;
        fingerprint = print;
    }

    /** What a command printed and how it ended. */
    record Result(int exit, String out, String err) {
        Result ok() {
            if (exit != 0) {
                throw new AssertionError("exit " + exit + ": " + err + out);
            }
            return this;
        }
    }

    /** Runs {@code bin/trestle-sync} for one laptop (its own data directory). */
    Result laptop(String name, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(root.resolve("bin/trestle-sync").toString(), "--data-dir",
                work.resolve(name).toString()));
        command.addAll(List.of(args));
        Path out = work.resolve(name + ".out");
        Path err = work.resolve(name + ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("bin/trestle-sync " + String.join(" ", args) + " did not end in 3 minutes");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Registers a laptop with the server, trusting its certificate by fingerprint. */
    void register(String name, String code, String enrollmentKey) throws IOException, InterruptedException {
        laptop(name, "register", "--server", url, "--fingerprint", fingerprint, "--code", code, "--enrollment-key",
                enrollmentKey).ok();
    }

    /** @return the uuid of the entity a {@code --json put} created */
    String put(String name, String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("--json", "put"));
        all.addAll(List.of(args));
        Matcher m = Pattern.compile("\"uuid\"\\s*:\\s*\"([^\"]+)\"").matcher(laptop(name, all.toArray(String[]::new)).ok().out());
        if (!m.find()) {
            throw new AssertionError("put " + String.join(" ", args) + " printed no uuid");
        }
        return m.group(1);
    }

    @Override
    public void close() throws InterruptedException {
        server.destroy();
        if (!server.waitFor(30, TimeUnit.SECONDS)) {
            server.destroyForcibly();
        }
    }
}
