package org.trestle.sync.server.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntSupplier;

import org.trestle.sync.server.internal.console.Counters;

/** Counters and the exchange latency histogram, in Prometheus text format. */
final class Metrics {

    private static final double[] BUCKETS_SECONDS = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };

    final AtomicLong exchanges = new AtomicLong();
    final AtomicLong exchangeFailures = new AtomicLong();
    final AtomicLong changesApplied = new AtomicLong();
    final AtomicLong changesSkipped = new AtomicLong();
    final AtomicLong changesSent = new AtomicLong();
    final AtomicLong conflicts = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong registrations = new AtomicLong();
    final AtomicLong enrollmentFailures = new AtomicLong();
    final AtomicLong bytesIn = new AtomicLong();
    final AtomicLong bytesOut = new AtomicLong();
    /** The push waits held open now; set once the wait endpoint exists. */
    volatile IntSupplier waiting = () -> 0;
    private final AtomicLongArray latencyBuckets = new AtomicLongArray(BUCKETS_SECONDS.length);
    private final AtomicLong latencyCount = new AtomicLong();
    private final AtomicLong latencyMicros = new AtomicLong();

    void observeExchange(long nanos) {
        double seconds = nanos / 1e9;
        for (int i = 0; i < BUCKETS_SECONDS.length; i++) {
            if (seconds <= BUCKETS_SECONDS[i]) {
                latencyBuckets.incrementAndGet(i);
            }
        }
        latencyCount.incrementAndGet();
        latencyMicros.addAndGet(nanos / 1000);
    }

    /** @return the metrics' totals as the console's health charts read them */
    Counters counters() {
        return new Counters() {
            @Override
            public long exchanges() {
                return exchanges.get();
            }

            @Override
            public long exchangeFailures() {
                return exchangeFailures.get();
            }

            @Override
            public long changesIn() {
                return changesApplied.get();
            }

            @Override
            public long changesOut() {
                return changesSent.get();
            }

            @Override
            public long timedExchanges() {
                return latencyCount.get();
            }

            @Override
            public long exchangeMicros() {
                return latencyMicros.get();
            }
        };
    }

    String render(long nodes, long openConflicts, long deadLetters) {
        return render(nodes, openConflicts, deadLetters, 0);
    }

    String render(long nodes, long openConflicts, long deadLetters, long waitingForPlugins) {
        StringBuilder out = new StringBuilder(2048);
        counter(out, "trestle_exchanges_total", "Exchanges answered successfully.", exchanges.get());
        counter(out, "trestle_exchange_failures_total", "Exchanges refused or failed.", exchangeFailures.get());
        counter(out, "trestle_changes_applied_total", "Incoming changes applied (or held for a reference).", changesApplied.get());
        counter(out, "trestle_changes_skipped_total", "Incoming changes skipped as already applied or stale.", changesSkipped.get());
        counter(out, "trestle_changes_sent_total", "Changes sent to nodes.", changesSent.get());
        counter(out, "trestle_conflicts_total", "Conflicts met while applying changes.", conflicts.get());
        counter(out, "trestle_change_errors_total", "Incoming changes that could not be applied.", errors.get());
        counter(out, "trestle_registrations_total", "Nodes registered.", registrations.get());
        counter(out, "trestle_enrollment_failures_total", "Registrations refused for a wrong or missing key.", enrollmentFailures.get());
        counter(out, "trestle_bytes_in_total", "Request body bytes of exchanges, as sent.", bytesIn.get());
        counter(out, "trestle_bytes_out_total", "Response body bytes of exchanges, as sent.", bytesOut.get());
        gauge(out, "trestle_nodes", "Registered client nodes.", nodes);
        gauge(out, "trestle_open_conflicts", "Manual conflicts waiting for a person.", openConflicts);
        gauge(out, "trestle_dead_letters", "Changes kept because they could not be applied.", deadLetters);
        gauge(out, "trestle_changes_waiting_for_plugins",
                "Changes received of entity types no plugin of the server declares: kept until one does.", waitingForPlugins);
        gauge(out, "trestle_waiting_requests", "Push waits (GET /api/sync/wait) held open now.", waiting.getAsInt());
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        gauge(out, "trestle_jvm_heap_used_bytes", "Java heap in use.", heap.getUsed());
        gauge(out, "trestle_jvm_heap_max_bytes", "Java heap limit.", heap.getMax());
        gauge(out, "trestle_jvm_threads", "Live threads of the server process.",
                ManagementFactory.getThreadMXBean().getThreadCount());
        gauge(out, "trestle_process_open_files", "Open file descriptors of the server process (-1: not known here).",
                openFiles());
        out.append("# HELP trestle_exchange_duration_seconds Time to answer an exchange.\n");
        out.append("# TYPE trestle_exchange_duration_seconds histogram\n");
        for (int i = 0; i < BUCKETS_SECONDS.length; i++) {
            out.append("trestle_exchange_duration_seconds_bucket{le=\"").append(BUCKETS_SECONDS[i]).append("\"} ")
                    .append(latencyBuckets.get(i)).append('\n');
        }
        out.append("trestle_exchange_duration_seconds_bucket{le=\"+Inf\"} ").append(latencyCount.get()).append('\n');
        out.append("trestle_exchange_duration_seconds_sum ").append(latencyMicros.get() / 1e6).append('\n');
        out.append("trestle_exchange_duration_seconds_count ").append(latencyCount.get()).append('\n');
        return out.toString();
    }

    private static long openFiles() {
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" counter\n");
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
        out.append(name).append(' ').append(value).append('\n');
    }
}
