package org.trestle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.trestle.construction.Estimate;
import org.trestle.construction.EstimateItem;
import org.trestle.construction.Project;
import org.trestle.sync.api.PacketManager;
import org.trestle.sync.api.SyncEngineFactory;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Packet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.OperatingSystemMXBean;

/**
 * Initial load at growing sizes, the raw JDBC limit, wire efficiency and the incremental
 * round trip, against a real server over HTTP. Run by bin/bench, never by bin/test.
 */
class SyncBenchmark {

    private static final String KEY = "bench-key";
    private static URI base;
    private static SyncEngineFactory factory;
    private static Path dir;
    private static final ObjectNode FIGURES = BenchClient.JSON.createObjectNode();
    private static final List<Report.Row> ROWS = new ArrayList<>();

    @BeforeAll
    static void connect() throws Exception {
        BenchRuntime runtime = BenchRuntime.connect();
        base = runtime.base();
        factory = runtime.factory();
        dir = runtime.dir();
    }

    @AfterAll
    static void write() throws Exception {
        int batch = Integer.getInteger("trestle.server.batch-size", 1000);
        Report.write("Initial load, JDBC limit, wire, round trip"
                + ("v4".equals(System.getProperty("trestle.bench.uuids")) ? ", random (v4) uuids" : "")
                + (batch != 1000 ? ", packets of " + batch : ""), FIGURES, ROWS);
    }

    @Test
    void initialLoadScalingWireAndRoundTrip() throws Exception {
        boolean large = Boolean.getBoolean("trestle.bench.large");
        int[] sizes = large ? new int[] { 10_000, 100_000, 1_000_000 } : new int[] { 10_000, 100_000 };
        String chosen = System.getProperty("trestle.bench.sizes");
        if (chosen != null) {
            sizes = Arrays.stream(chosen.split(",")).mapToInt(x -> Integer.parseInt(x.trim())).toArray();
        }
        try (BenchClient seed = new BenchClient(factory, dir.resolve("seed"), base, "SEED").register(KEY)) {
            int held = 0;
            BenchClient last = null;
            BenchClient lastEncrypted = null;
            for (int size : sizes) {
                long t0 = System.nanoTime();
                insert(seed, size - held);
                long t1 = System.nanoTime();
                seed.syncToCompletion();
                long t2 = System.nanoTime();
                ObjectNode f = FIGURES.putObject("initial_load_" + size);
                f.put("local_insert_per_s", (size - held) / ((t1 - t0) / 1e9));
                f.put("upload_per_s", (size - held) / ((t2 - t1) / 1e9));
                held = size;
                if (last != null) {
                    last.close();
                }
                last = load(size, f, null);
                if (size <= 100_000) {
                    if (lastEncrypted != null) {
                        lastEncrypted.close();
                    }
                    lastEncrypted = load(size, FIGURES.putObject("initial_load_" + size + "_encrypted"), ENCRYPTION_KEY);
                }
                clientProcess(size, f);
                coldInsert(size, f, last);
            }
            wire(last.engine.packetManager(), last.lastDown, FIGURES.putObject("wire"));
            int reps = Integer.getInteger("trestle.bench.roundtrips", 1000);
            roundTrip(seed, last, reps, "");
            if (lastEncrypted != null) {
                lastEncrypted.syncToCompletion(); // it takes the plain round trip's edits first
                roundTrip(seed, lastEncrypted, reps, "_encrypted");
                lastEncrypted.close();
            }
            last.close();
        }
    }

    /**
     * Whether the entities get random (version 4) uuids, as other tools or data made before
     * time-ordered identities have them: {@code -Dtrestle.bench.uuids=v4}.
     */
    private static final boolean RANDOM_UUIDS = "v4".equals(System.getProperty("trestle.bench.uuids"));

    private static void identify(SyncEntity e) {
        if (RANDOM_UUIDS) {
            e.setUuid(UUID.randomUUID().toString());
        }
    }

    /** Projects, estimates and items in the proportions 1 : 10 : 89, ten projects per transaction. */
    private static void insert(BenchClient client, int entities) {
        int projects = entities / 100;
        for (int p0 = 0; p0 < projects; p0 += 10) {
            int from = p0;
            client.engine.inTx(em -> {
                for (int p = from; p < Math.min(projects, from + 10); p++) {
                    Project project = new Project();
                    project.setCode("P" + UUID.randomUUID().toString().substring(0, 8));
                    project.setName("Benchmark project " + p);
                    project.setAddress("Site road " + p);
                    project.setBudget(new BigDecimal("250000.00"));
                    identify(project);
                    em.persist(project);
                    for (int e = 0; e < 10; e++) {
                        Estimate estimate = new Estimate();
                        estimate.setProject(project);
                        estimate.setNumber("E-" + p + "-" + e);
                        estimate.setTitle("Estimate " + e + " of project " + p);
                        identify(estimate);
                        em.persist(estimate);
                        for (int i = 0; i < (e == 9 ? 8 : 9); i++) {
                            EstimateItem item = new EstimateItem();
                            item.setEstimate(estimate);
                            item.setPosition(i + 1);
                            item.setDescription("Concrete C25/30, slab section " + i);
                            item.setUnit("m3");
                            item.setQuantity(new BigDecimal("12.500"));
                            item.setUnitPrice(new BigDecimal("118.40"));
                            identify(item);
                            em.persist(item);
                        }
                    }
                }
                return null;
            });
        }
    }

    /** The key of the encrypted clients: what the shipped client makes is random; the cost does not depend on it. */
    private static final String ENCRYPTION_KEY = "5eed".repeat(16);

    /**
     * A new client registers and synchronizes until it holds everything the server holds.
     *
     * @param key the client database's key (encrypted at rest, as the workbench's), or {@code null} for plain files
     */
    private BenchClient load(int size, ObjectNode f, String key) throws Exception {
        System.gc();
        var memory = ManagementFactory.getMemoryMXBean();
        long before = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong(before);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        String suffix = key == null ? "" : "-ENC";
        // from the registration on: the server may do part of the load's work when the node registers
        long t0 = System.nanoTime();
        BenchClient fresh = new BenchClient(factory, dir.resolve("fresh-" + size + suffix), base, "FRESH-" + size + suffix,
                key).register(KEY);
        int exchanges = fresh.syncToCompletion();
        long t1 = System.nanoTime();
        sampler.interrupt();
        sampler.join();
        long items = fresh.engine.read(em -> em.createQuery("select count(i) from EstimateItem i", Long.class)
                .getSingleResult());
        long all = items + fresh.engine.read(em -> em.createQuery("select count(e) from Estimate e", Long.class)
                .getSingleResult()) + fresh.engine.read(em -> em.createQuery("select count(p) from Project p", Long.class)
                .getSingleResult());
        assertEquals(size, all, "the new client holds every entity");
        double seconds = (t1 - t0) / 1e9;
        double endToEnd = size / seconds;
        double apply = size / (fresh.applyNanos / 1e9);
        double jdbc = jdbcSameTables(fresh);
        double oneTable = jdbcLimit(fresh, size);
        f.put("entities", size).put("seconds", seconds).put("exchanges", exchanges).put("end_to_end_per_s", endToEnd)
                .put("client_apply_per_s", apply).put("jdbc_batch_insert_per_s", jdbc).put("apply_to_jdbc_ratio", apply / jdbc)
                .put("jdbc_one_table_insert_per_s", oneTable).put("apply_to_jdbc_one_table_ratio", apply / oneTable)
                .put("jvm_heap_peak_mib", peak.get() >> 20).put("jvm_heap_before_mib", before >> 20)
                .put("bytes_down", fresh.bytesDown).put("rss_kib", Report.rssKib());
        String w = "initial load " + String.format("%,d", size) + (RANDOM_UUIDS ? ", random (v4) uuids" : "")
                + (key == null ? "" : ", client encrypted at rest");
        if (key != null) {
            // the encrypted client beside the plain one of the same run: the cost of encryption
            f.put("entities", size).put("end_to_end_per_s", endToEnd).put("client_apply_per_s", apply);
            ROWS.add(new Report.Row(w, "end to end; client apply rate", Report.fmt(endToEnd) + " entities/s; "
                    + Report.fmt(apply) + " rows/s", "", ""));
            return fresh;
        }
        ROWS.add(new Report.Row(w, "end to end (register to last entity applied)", Report.fmt(endToEnd) + " entities/s",
                "≥ 30,000/s", Report.met(endToEnd >= 30_000)));
        ROWS.add(new Report.Row(w, "client apply rate / plain batched JDBC insert of the same rows into the same tables",
                Report.fmt(apply) + " / " + Report.fmt(jdbc) + " rows/s = " + String.format("%.2f", apply / jdbc),
                "≥ 0.8", Report.met(apply / jdbc >= 0.8)));
        ROWS.add(new Report.Row(w, "client apply rate / plain batched JDBC insert into one table with a primary key only",
                Report.fmt(apply) + " / " + Report.fmt(oneTable) + " rows/s = " + String.format("%.2f", apply / oneTable),
                "", ""));
        ROWS.add(new Report.Row(w, "peak heap of the benchmark's JVM (server and client together, garbage included)",
                (peak.get() >> 20) + " MiB (" + (before >> 20) + " MiB before)", "", ""));
        ROWS.add(new Report.Row(w, "time, exchanges, bytes received",
                String.format("%.1f s, %d exchanges, %,d bytes", seconds, exchanges, fresh.bytesDown), "", ""));
        return fresh;
    }

    /** The heap limit of the client process: the target for the client's memory. */
    private static final int CLIENT_HEAP_MIB = 256;

    /**
     * The same initial load into the workbench's runtime as a process of its own
     * ({@code bin/trestle-sync}, no display) under a heap limit of 256 MiB, so that the
     * client's memory is measured apart from the server's: the load completes only if
     * the client never needs more. Its collections are logged; the figures are the largest
     * heap occupancy a collection found (garbage included: under a limit the collector lets
     * the heap fill towards it) and the most that a young or full collection kept.
     */
    private static void clientProcess(int size, ObjectNode f) throws Exception {
        Path root = Path.of(System.getProperty("trestle.root"));
        Path laptop = dir.resolve("process-" + size);
        Path gcLog = dir.resolve("process-" + size + "-gc.log");
        // trestle.bench.client.vmargs: more for the client process, e.g. a flight recording
        String vmargs = ("-Xmx" + CLIENT_HEAP_MIB + "m -Xlog:gc:file=" + gcLog + " "
                + System.getProperty("trestle.bench.client.vmargs", "")).strip();
        JsonNode registered = trestleSync(root, laptop, vmargs, "register", "--server", base.toString(), "--code",
                "PROCESS-" + size, "--enrollment-key", KEY);
        assertTrue(registered != null, "the client process registered");
        // meanwhile, this JVM serves the load: its heap after each collection is what the server keeps
        System.gc();
        long serverBefore = heapAfterCollection();
        AtomicLong serverPeak = new AtomicLong(serverBefore);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                serverPeak.accumulateAndGet(heapAfterCollection(), Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long serverCpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        JsonNode synced = trestleSync(root, laptop, vmargs, "sync");
        double seconds = (System.nanoTime() - t0) / 1e9;
        double serverCpu = (os.getProcessCpuTime() - serverCpu0) / 1e9;
        double clientCpu = lastCpuSeconds;
        sampler.interrupt();
        sampler.join();
        long received = synced == null ? -1 : synced.path("received").asLong(-1);
        long peakMib = 0;
        long liveMib = 0;
        int collections = 0;
        // "Pause Young|Full ... 219M->82M(251M)": the heap when a collection began and what it kept;
        // a Remark or Cleanup pause copies nothing, so what it reports after it is no measure of what was kept
        Matcher m = Pattern.compile("Pause (\\w+).* (\\d+)M->(\\d+)M\\((\\d+)M\\)")
                .matcher(Files.exists(gcLog) ? Files.readString(gcLog) : "");
        while (m.find()) {
            peakMib = Math.max(peakMib, Long.parseLong(m.group(2)));
            if (m.group(1).equals("Young") || m.group(1).equals("Full")) {
                liveMib = Math.max(liveMib, Long.parseLong(m.group(3)));
            }
            collections++;
        }
        boolean complete = synced != null && received == size && synced.path("errors").asInt(-1) == 0;
        double syncSeconds = synced == null ? 0 : synced.path("seconds").asDouble(0);
        double rate = syncSeconds > 0 ? received / syncSeconds : 0;
        ObjectNode process = f.putObject("client_process");
        process.put("heap_limit_mib", CLIENT_HEAP_MIB).put("completed", complete)
                .put("received", received).put("seconds_with_runtime_start", seconds)
                .put("heap_peak_at_collection_mib", peakMib).put("heap_kept_by_collection_peak_mib", liveMib)
                .put("collections", collections)
                .put("sync_seconds", syncSeconds).put("end_to_end_per_s", rate);
        ROWS.add(new Report.Row("initial load " + String.format("%,d", size),
                "client as a process of its own (bin/trestle-sync sync, a new laptop): its synchronization, end to end",
                Report.fmt(rate) + String.format(" entities/s (%.1f s)", syncSeconds), "≥ 30,000/s",
                Report.met(complete && rate >= 30_000)));
        ROWS.add(new Report.Row("initial load " + String.format("%,d", size),
                "client as a process of its own (bin/trestle-sync, -Xmx" + CLIENT_HEAP_MIB + "m): outcome; largest heap "
                        + "occupancy a collection found; the most a collection kept",
                (complete ? "all " + String.format("%,d", received) + " received" : "incomplete (" + received + " received)")
                        + String.format(" in %.1f s with the runtime's start; %d MiB; %d MiB (%d collections)", seconds,
                                peakMib, liveMib, collections),
                "client < 256 MiB", Report.met(complete && liveMib < CLIENT_HEAP_MIB)));
        long serverMib = serverPeak.get() >> 20;
        process.put("server_heap_after_collections_peak_mib", serverMib)
                .put("server_heap_after_collections_before_mib", serverBefore >> 20);
        ROWS.add(new Report.Row("initial load " + String.format("%,d", size),
                "server heap in use while it sent the load to that process: largest after a collection (the benchmark's "
                        + "JVM: the server and the run's idle clients)",
                serverMib + " MiB (" + (serverBefore >> 20) + " MiB before)", "server < 512 MiB",
                Report.met(serverMib < SERVER_HEAP_MIB)));
        // what the cores spent: at the target rate, the load may take at most cores / rate core-seconds per entity
        int cores = Runtime.getRuntime().availableProcessors();
        double budget = cores * (size / 30_000.0);
        process.put("client_cpu_seconds_with_runtime_start", clientCpu).put("server_jvm_cpu_seconds", serverCpu)
                .put("cpu_seconds_at_target", budget);
        if (clientCpu >= 0) {
            ROWS.add(new Report.Row("initial load " + String.format("%,d", size),
                    "CPU time: the client process (its runtime's start included) + the benchmark's JVM (the server) "
                            + "meanwhile; what " + cores + " cores give in the time the target allows",
                    String.format("%.1f + %.1f = %.1f core-s (%.0f µs per entity); %.1f core-s (%.0f µs)", clientCpu,
                            serverCpu, clientCpu + serverCpu, (clientCpu + serverCpu) * 1e6 / size, budget,
                            budget * 1e6 / size),
                    "", ""));
        }
    }

    /**
     * What a client process starting from nothing can write at best: the rows of the load
     * as a client holds them, written into new tables of a new database, encrypted as the
     * workbench's is, by a JVM of its own that runs nothing but Derby ({@link ColdInsert}):
     * with plain JDBC batches, and in bulk as the client writes a load. It holds every row
     * in memory before it starts the clock, so its heap grows with the load (two
     * megabytes per 1,000 rows, at least the client's limit).
     */
    private static void coldInsert(int size, ObjectNode f, BenchClient holding) throws Exception {
        Path root = Path.of(System.getProperty("trestle.root"));
        Path plugins = root.resolve(
                "releng/org.trestle.workbench.product/target/products/org.trestle.workbench/linux/gtk/x86_64/trestle/plugins");
        List<String> path = new ArrayList<>(List.of(root.resolve("tests/org.trestle.bench/target/classes").toString()));
        try (var jars = Files.list(plugins)) {
            jars.map(j -> j.getFileName().toString()).filter(n -> n.startsWith("derby_")
                    || n.startsWith("org.apache.derby.derbyshared_") || n.startsWith("org.trestle.sync.persistence_"))
                    .sorted().forEach(n -> path.add(plugins.resolve(n).toString()));
        }
        assertEquals(4, path.size(), "the class path holds the benchmark's classes, Derby's two jars and the "
                + "persistence bundle: " + path);
        Path tables = dir.resolve("cold-" + size + ".tables");
        ColdInsert.write(tables, tablesOf(holding, ""));
        double process = f.path("client_process").path("end_to_end_per_s").asDouble(0);
        ObjectNode cold = f.putObject("cold_process_insert");
        List<String> figures = new ArrayList<>();
        try {
            for (String mode : List.of("batched", "bulk")) {
                String name = "cold-" + size + "-" + mode;
                Path out = dir.resolve(name + ".out");
                Path err = dir.resolve(name + ".err");
                String launcher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                ProcessBuilder pb = new ProcessBuilder("bash", "-c", "\"$0\" \"$@\"; rc=$?; times >&2; exit $rc",
                        launcher, "-Xmx" + Math.max(CLIENT_HEAP_MIB, size / 500) + "m", "-Dderby.stream.error.file=" + dir.resolve(name + "-derby.log"),
                        "-cp", String.join(File.pathSeparator, path), ColdInsert.class.getName(), mode,
                        tables.toString(), dir.resolve(name).toString(), ENCRYPTION_KEY)
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                long t0 = System.nanoTime();
                Process p = pb.start();
                if (!p.waitFor(30, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    p.waitFor();
                }
                double wall = (System.nanoTime() - t0) / 1e9;
                assertEquals(0, p.exitValue(), "the " + mode + " insert in a process of its own: "
                        + Files.readString(err));
                String[] result = Files.readString(out).strip().split(" ");
                assertEquals(size, Long.parseLong(result[0]), "the process inserted every row of the load");
                double seconds = Double.parseDouble(result[1]);
                double insertCpu = Double.parseDouble(result[2]);
                double cpu = childCpuSeconds(Files.readAllLines(err));
                double rate = size / seconds;
                cold.putObject(mode).put("insert_seconds", seconds).put("insert_cpu_seconds", insertCpu)
                        .put("per_s", rate).put("process_seconds", wall).put("process_cpu_seconds", cpu);
                figures.add(mode + " " + Report.fmt(rate) + String.format(
                        " rows/s, %.2f (%.1f s, %.1f core-s; %.1f s, %.1f core-s)", process / rate, seconds, insertCpu,
                        wall, cpu));
            }
        } finally {
            Files.deleteIfExists(tables);
        }
        ROWS.add(new Report.Row("initial load " + String.format("%,d", size),
                "the same rows written into the same tables, encrypted, by a process of its own that starts from "
                        + "nothing and runs only Derby: rate; the client process's rate above divided by it (the "
                        + "writing alone, its CPU; with the JVM's start and Derby's shutdown, CPU)",
                String.join("; ", figures), "", ""));
        // what the target leaves for everything but the writing and the sending: on these cores, in the time it allows
        double budget = f.path("client_process").path("cpu_seconds_at_target").asDouble(0);
        double server = f.path("client_process").path("server_jvm_cpu_seconds").asDouble(0);
        double writing = cold.path("bulk").path("insert_cpu_seconds").asDouble(0);
        cold.put("cpu_seconds_left_at_target", budget - writing - server);
        ROWS.add(new Report.Row("initial load " + String.format("%,d", size),
                "CPU the target leaves for the client's receiving, keeping and decoding: what the cores give in the "
                        + "time it allows, less the Derby-only process's bulk writing and the server's sending above",
                String.format("%.1f - %.1f - %.1f = %.1f core-s", budget, writing, server, budget - writing - server),
                "", ""));
    }

    /** The target for the server's heap during a load. */
    private static final int SERVER_HEAP_MIB = 512;

    /** @return the heap in use after the last collection of each pool: the live objects, garbage left out */
    private static long heapAfterCollection() {
        long used = 0;
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            var after = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
            if (after != null) {
                used += after.getUsed();
            }
        }
        return used;
    }

    /** The CPU time (user and system) of the last bin/trestle-sync run, in seconds; -1 when not known. */
    private static double lastCpuSeconds = -1;

    /** @return the children's user plus system time of bash's {@code times}, its last line ("0m12.345s 0m1.234s") */
    static double childCpuSeconds(List<String> lines) {
        if (lines.isEmpty()) {
            return -1;
        }
        Matcher m = Pattern.compile("^(\\d+)m([\\d.]+)s (\\d+)m([\\d.]+)s$")
                .matcher(lines.get(lines.size() - 1).strip());
        return m.matches() ? Long.parseLong(m.group(1)) * 60 + Double.parseDouble(m.group(2))
                + Long.parseLong(m.group(3)) * 60 + Double.parseDouble(m.group(4)) : -1;
    }

    /** Runs bin/trestle-sync with --json; @return its result, or null when it failed (its errors are printed) */
    private static JsonNode trestleSync(Path root, Path laptop, String vmargs, String... args) throws Exception {
        // the shell reports the CPU time of what it waited for (the runtime's JVM) as its last line
        List<String> command = new ArrayList<>(List.of("bash", "-c", "bash \"$0\" \"$@\"; rc=$?; times >&2; exit $rc",
                root.resolve("bin/trestle-sync").toString(), "--data-dir", laptop.toString(), "--json"));
        command.addAll(List.of(args));
        Path out = laptop.resolveSibling(laptop.getFileName() + "-" + args[0] + ".out");
        Path err = laptop.resolveSibling(laptop.getFileName() + "-" + args[0] + ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("TRESTLE_VMARGS", vmargs);
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            p.waitFor();
        }
        if (p.exitValue() != 0) {
            System.out.println("bin/trestle-sync " + args[0] + " failed: " + Files.readString(err));
            return null;
        }
        lastCpuSeconds = childCpuSeconds(Files.readAllLines(err));
        // the result is the last line that is a JSON object: options asked for may print around it
        // (a flight recording announces itself before it, -XX:+CITime reports after it)
        List<String> lines = Files.readAllLines(out);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith("{")) {
                return BenchClient.JSON.readTree(lines.get(i));
            }
        }
        return null;
    }

    /** The tables of the initial load, parents first. */
    private static final List<String> TABLES = List.of("PROJECT", "ESTIMATE", "ESTIMATE_ITEM");

    /**
     * The tables of the initial load as a client holds them: for each, the statements that
     * make it (named with {@code prefix}) with the same columns, primary key, references
     * and indexes, read from the database's metadata, and its rows read into memory.
     */
    private static List<ColdInsert.Table> tablesOf(BenchClient client, String prefix) {
        // in a transaction: only then does the entity manager hand out its connection
        return client.engine.inTx(em -> {
            Connection c = em.unwrap(Connection.class);
            List<ColdInsert.Table> out = new ArrayList<>();
            try (Statement s = c.createStatement()) {
                DatabaseMetaData meta = c.getMetaData();
                for (String t : TABLES) {
                    List<String> ddl = new ArrayList<>();
                    List<String> defs = new ArrayList<>();
                    List<String> types = new ArrayList<>();
                    try (ResultSet col = meta.getColumns(null, null, t, null)) {
                        while (col.next()) {
                            String type = col.getString("TYPE_NAME");
                            if (type.endsWith("CHAR") || type.equals("CLOB") || type.equals("BLOB")) {
                                type += "(" + col.getInt("COLUMN_SIZE") + ")";
                            } else if (type.equals("DECIMAL") || type.equals("NUMERIC")) {
                                type += "(" + col.getInt("COLUMN_SIZE") + ", " + col.getInt("DECIMAL_DIGITS") + ")";
                            }
                            types.add(type);
                            defs.add(col.getString("COLUMN_NAME") + " " + type
                                    + (col.getInt("NULLABLE") == DatabaseMetaData.columnNoNulls ? " NOT NULL" : ""));
                        }
                    }
                    ddl.add("CREATE TABLE " + prefix + t + " (" + String.join(", ", defs) + ")");
                    List<String> key = new ArrayList<>();
                    try (ResultSet pk = meta.getPrimaryKeys(null, null, t)) {
                        while (pk.next()) {
                            key.add(pk.getString("COLUMN_NAME"));
                        }
                    }
                    ddl.add("ALTER TABLE " + prefix + t + " ADD PRIMARY KEY (" + String.join(", ", key) + ")");
                    try (ResultSet fk = meta.getImportedKeys(null, null, t)) {
                        while (fk.next()) {
                            ddl.add("ALTER TABLE " + prefix + t + " ADD FOREIGN KEY (" + fk.getString("FKCOLUMN_NAME")
                                    + ") REFERENCES " + prefix + fk.getString("PKTABLE_NAME") + " ("
                                    + fk.getString("PKCOLUMN_NAME") + ")");
                        }
                    }
                    try (ResultSet ix = meta.getIndexInfo(null, null, t, false, false)) {
                        while (ix.next()) {
                            String name = ix.getString("INDEX_NAME");
                            if (name != null && !name.startsWith("SQL")) { // SQL...: the indexes behind the keys above
                                ddl.add("CREATE " + (ix.getBoolean("NON_UNIQUE") ? "" : "UNIQUE ") + "INDEX " + prefix + name
                                        + " ON " + prefix + t + " (" + ix.getString("COLUMN_NAME") + ")");
                            }
                        }
                    }
                    List<String> names = new ArrayList<>();
                    List<Object[]> read = new ArrayList<>();
                    try (ResultSet r = s.executeQuery("SELECT * FROM " + t)) {
                        int n = r.getMetaData().getColumnCount();
                        for (int i = 1; i <= n; i++) {
                            names.add(r.getMetaData().getColumnName(i));
                        }
                        while (r.next()) {
                            Object[] row = new Object[n];
                            for (int i = 0; i < n; i++) {
                                row[i] = r.getObject(i + 1);
                            }
                            read.add(row);
                        }
                    }
                    if (names.size() != types.size()) {
                        throw new IllegalStateException(t + ": the query's columns are not those of the metadata");
                    }
                    out.add(new ColdInsert.Table(prefix + t, ddl, names, types, read));
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            return out;
        });
    }

    /**
     * The limit of the client's apply: the rows the client now holds, inserted again with
     * plain JDBC batches (1,000 rows a transaction, as the client's packets) into empty
     * copies of their tables in the same database ({@link #tablesOf}). Only the inserts
     * are timed; the rows are read into memory first.
     */
    private static double jdbcSameTables(BenchClient client) {
        List<ColdInsert.Table> tables = tablesOf(client, "BENCH_");
        client.engine.inTx(em -> {
            try (Statement s = em.unwrap(Connection.class).createStatement()) {
                for (ColdInsert.Table t : tables) {
                    for (String d : t.ddl()) {
                        System.out.println("BENCH " + d);
                        s.execute(d);
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        long total = 0;
        long t0 = System.nanoTime();
        for (ColdInsert.Table t : tables) {
            for (List<Object[]> batch : t.batches()) {
                // the engine's transaction commits each batch: its connection is not committed directly
                client.engine.inTx(em -> {
                    try (PreparedStatement ps = em.unwrap(Connection.class).prepareStatement(t.insertSql())) {
                        ColdInsert.Table.insert(ps, batch);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                    return null;
                });
            }
            total += t.rows().size();
        }
        return total / ((System.nanoTime() - t0) / 1e9);
    }

    /** The same number of rows, inserted with plain JDBC batches into one table with a primary key only. */
    private static double jdbcLimit(BenchClient client, int rows) {
        client.engine.inTx(em -> {
            try (Statement s = em.unwrap(Connection.class).createStatement()) {
                s.execute("CREATE TABLE BENCH_ROWS (UUID VARCHAR(36) PRIMARY KEY, UPDATED_AT TIMESTAMP, DELETED BOOLEAN,"
                        + " ESTIMATE_UUID VARCHAR(36), ITEM_POSITION INT, DESCRIPTION VARCHAR(500), UNIT VARCHAR(16),"
                        + " QUANTITY DECIMAL(15,3), UNIT_PRICE DECIMAL(15,2))");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        long t0 = System.nanoTime();
        for (int done = 0; done < rows; done += 1000) {
            int from = done;
            client.engine.inTx(em -> {
                try (PreparedStatement ps = em.unwrap(Connection.class).prepareStatement(
                        "INSERT INTO BENCH_ROWS VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    for (int i = from; i < Math.min(rows, from + 1000); i++) {
                        ps.setString(1, UUID.randomUUID().toString());
                        ps.setTimestamp(2, new Timestamp(System.currentTimeMillis()));
                        ps.setBoolean(3, false);
                        ps.setString(4, UUID.randomUUID().toString());
                        ps.setInt(5, i % 9 + 1);
                        ps.setString(6, "Concrete C25/30, slab section " + i);
                        ps.setString(7, "m3");
                        ps.setBigDecimal(8, new BigDecimal("12.500"));
                        ps.setBigDecimal(9, new BigDecimal("118.40"));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            });
        }
        return rows / ((System.nanoTime() - t0) / 1e9);
    }

    private static void wire(PacketManager codec, Packet packet, ObjectNode f) {
        int n = packet.changes().size();
        byte[] json = codec.toJson(packet);
        byte[] gzip = codec.compress(packet);
        long objectForm = "{\"packet_data\": ".length() + json.length + 1;
        long hexForm = "{\"packet_data\": \"".length() + 2L * gzip.length + 2;
        f.put("changes", n).put("json_object_bytes_per_change", (double) objectForm / n)
                .put("json_hex_bytes_per_change", (double) hexForm / n).put("gzip_bytes_per_change", (double) gzip.length / n)
                .put("gzip_to_json_ratio", (double) gzip.length / objectForm);
        ROWS.add(new Report.Row("wire (" + n + " changes of the initial load)", "bytes per change: JSON object / hex / binary GZIP",
                String.format("%.0f / %.0f / %.1f", (double) objectForm / n, (double) hexForm / n, (double) gzip.length / n),
                "", ""));
        ROWS.add(new Report.Row("wire", "binary GZIP / uncompressed JSON", String.format("1/%.1f", (double) objectForm / gzip.length),
                "≤ 1/5", Report.met(gzip.length * 5L <= objectForm)));
    }

    /** One edit on A, sync on A, then on B: the time from A's commit to B's apply. */
    private static void roundTrip(BenchClient a, BenchClient b, int reps, String variant) throws Exception {
        List<String> projects = a.engine.read(em -> em.createQuery("select p.uuid from Project p", String.class)
                .setMaxResults(50).getResultList());
        long[] latency = new long[reps];
        for (int r = 0; r < reps; r++) {
            String uuid = projects.get(r % projects.size());
            BigDecimal budget = new BigDecimal(100_000 + r + ".00");
            a.engine.inTx(em -> {
                em.find(Project.class, uuid).setBudget(budget);
                return null;
            });
            long t0 = System.nanoTime();
            a.exchangeOnce();
            b.exchangeOnce();
            latency[r] = System.nanoTime() - t0;
            if (r % 100 == 0 || r == reps - 1) {
                BigDecimal seen = b.engine.read(em -> em.find(Project.class, uuid).getBudget());
                assertEquals(0, budget.compareTo(seen), "the edit reached B");
            }
        }
        double p50 = Report.percentile(latency, 50);
        double p99 = Report.percentile(latency, 99);
        FIGURES.putObject("round_trip" + variant).put("repetitions", reps).put("p50_ms", p50).put("p99_ms", p99);
        ROWS.add(new Report.Row("incremental round trip (" + reps + " edits)" + (variant.isEmpty() ? ""
                : ", B encrypted at rest"), "commit on A to applied on B, p50 / p99",
                String.format("%.1f / %.1f ms", p50, p99), "p50 < 20 ms", Report.met(p50 < 20)));
        assertTrue(p50 > 0);
    }
}
