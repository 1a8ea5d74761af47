package org.trestle.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A shipped program started the way an administrator or a script starts it (the
 * scripts in {@code bin/}), its standard output read line by line as it comes, each
 * line with the time it was read.
 */
final class Launched implements AutoCloseable {

    /** A line of standard output and when it was read. */
    record Line(String text, Instant readAt) {
    }

    final Process process;
    private final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
    private final Writer in;

    private Launched(Process process) {
        this.process = process;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    lines.add(new Line(l, Instant.now()));
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "bench-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code bin/<script> args...}; its standard error goes to {@code log}. */
    static Launched start(Path log, String script, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Report.root().resolve("bin").resolve(script).toString());
        command.addAll(List.of(args));
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().remove("TRESTLE_VMARGS");
        return new Launched(pb.start());
    }

    /** Runs {@code bin/<script> args...} to its end. @return its standard output; a failure if it exits with another status than 0 */
    static String run(Path log, String script, String... args) throws Exception {
        try (Launched l = start(log, script, args)) {
            if (!l.process.waitFor(5, TimeUnit.MINUTES) || l.process.exitValue() != 0) {
                throw new IllegalStateException("bin/" + script + " " + String.join(" ", args) + " failed; see " + log);
            }
            StringBuilder out = new StringBuilder();
            for (Line line = l.lines.poll(1, TimeUnit.SECONDS); line != null; line = l.lines.poll(200, TimeUnit.MILLISECONDS)) {
                out.append(line.text()).append('\n');
            }
            return out.toString();
        }
    }

    /** @return the next line that matches, read within the time; the lines before it are passed over */
    Line await(Predicate<String> matches, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            Line l = lines.poll(left, TimeUnit.NANOSECONDS);
            if (l != null && matches.test(l.text())) {
                return l;
            }
        }
        throw new IllegalStateException("no such line within " + timeout + " " + unit + " from process " + process.pid());
    }

    /** Passes over the lines read so far. */
    void skipAll() {
        lines.clear();
    }

    /** Writes one line to the process's standard input. */
    void send(String line) throws IOException {
        in.write(line + "\n");
        in.flush();
    }

    /** @return the CPU time the process used so far (user and system), from /proc */
    long cpuMillis() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15
        return ticks * 10; // USER_HZ is 100 on Linux
    }

    /** @return a line of /proc/PID/status, such as {@code Threads} or {@code VmRSS}, as a number */
    long status(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no " + field + " in /proc status");
    }

    /** Asks the process to stop (SIGTERM) and waits for it. */
    @Override
    public void close() throws Exception {
        try {
            in.close();
        } catch (IOException e) {
            // already gone
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
