package org.trestle.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Collects the figures of one benchmark runtime and merges them into
 * docs/performance.json, then writes docs/performance.md from all of it.
 */
final class Report {

    /** One row of the table: a measured figure, its target (if any) and whether it is met. */
    record Row(String workload, String figure, String value, String target, String verdict) {
    }

    private Report() {
    }

    static Path root() {
        return Path.of(System.getProperty("trestle.root", "../..")).toAbsolutePath().normalize();
    }

    static synchronized void write(String part, ObjectNode figures, List<Row> rows) throws IOException {
        Path json = root().resolve("docs/performance.json");
        ObjectNode all = Files.isRegularFile(json) ? (ObjectNode) BenchClient.JSON.readTree(json.toFile())
                : BenchClient.JSON.createObjectNode();
        ObjectNode entry = all.putObject(part);
        entry.put("measured_at", Instant.now().toString());
        entry.set("machine", machine());
        entry.set("figures", figures);
        var table = entry.putArray("table");
        for (Row r : rows) {
            table.addObject().put("workload", r.workload()).put("figure", r.figure()).put("value", r.value())
                    .put("target", r.target()).put("verdict", r.verdict());
        }
        Files.createDirectories(json.getParent());
        Files.writeString(json, BenchClient.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(all));
        Files.writeString(root().resolve("docs/performance.md"), markdown(all));
    }

    static ObjectNode machine() {
        ObjectNode m = BenchClient.JSON.createObjectNode();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        try {
            String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
            m.put("cpu", cpu);
            String mem = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
            m.put("memory", mem);
        } catch (IOException | RuntimeException e) {
            m.put("cpu", "unknown");
        }
        m.put("jvm_args", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-Xmx") || a.startsWith("-Dtrestle.bench")).toList()));
        return m;
    }

    private static String markdown(ObjectNode all) {
        StringBuilder md = new StringBuilder();
        md.append("# Performance\n\n");
        md.append("Written by `bin/bench` (the benchmarks in `tests/org.trestle.bench`); rerun it to\n");
        md.append("measure again. Every workload runs against a real server over HTTP on loopback, with\n");
        md.append("real Derby databases, in the same JVM as the clients it measures. Tests never assert\n");
        md.append("these numbers; the targets are those of the performance issue. Where the time goes,\n");
        md.append("what was changed because of it and why targets are missed: `performance-notes.md`.\n\n");
        List<String> parts = new ArrayList<>();
        all.fieldNames().forEachRemaining(parts::add);
        for (String part : parts) {
            JsonNode p = all.get(part);
            JsonNode m = p.path("machine");
            md.append("## ").append(part).append("\n\n");
            md.append("Measured ").append(p.path("measured_at").asText()).append(" on ").append(m.path("cores").asInt())
                    .append(" cores (").append(m.path("cpu").asText()).append("), ").append(m.path("memory").asText())
                    .append(", ").append(m.path("java").asText()).append(", heap limit ")
                    .append(m.path("max_heap_mib").asInt()).append(" MiB").append(m.path("jvm_args").asText().isEmpty()
                            ? "" : " (`" + m.path("jvm_args").asText() + "`)")
                    .append(".\n\n");
            md.append("| workload | figure | value | target | verdict |\n|---|---|---|---|---|\n");
            for (JsonNode r : p.path("table")) {
                md.append("| ").append(r.path("workload").asText()).append(" | ").append(r.path("figure").asText())
                        .append(" | ").append(r.path("value").asText()).append(" | ").append(r.path("target").asText())
                        .append(" | ").append(r.path("verdict").asText()).append(" |\n");
            }
            md.append("\n");
        }
        md.append("Command: `bin/bench` (add `--large` for the 1,000,000-entity initial load, `--only scoped,push` for some of the workloads).\n");
        return md.toString();
    }

    static double percentile(long[] nanos, double p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    static String met(boolean ok) {
        return ok ? "met" : "missed";
    }

    /** @return the machine's CPU time so far, busy and idle, in clock ticks, from the first line of /proc/stat */
    static long[] cpuTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle, iowait
            return new long[] { total - idle, total };
        } catch (IOException | RuntimeException e) {
            return new long[] { 0, 0 };
        }
    }

    static long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    static String fmt(double v) {
        return v >= 100 ? String.format("%,.0f", v) : String.format("%.1f", v);
    }

}
