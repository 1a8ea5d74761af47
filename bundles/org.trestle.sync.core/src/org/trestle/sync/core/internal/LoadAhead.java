package org.trestle.sync.core.internal;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Reads the next page of a node's initial load while the node applies the page it was
 * just sent, so that the server's reading and the node's writing overlap instead of taking
 * turns. The page read ahead is used only for the exchange that asks for exactly what it
 * was read for: the same node, the same cursor (the node acknowledged the page before),
 * the same scope and size; anything else reads the page as before. A page read ahead is
 * the state of its entities when it was read: a change committed since is in the log and
 * follows the load, as for any page.
 * <p>
 * Bounded: one page per node, {@link #MAX_NODES} nodes at a time (a further node's page
 * takes the place of the oldest, so that nodes which stopped mid-load hold none for long),
 * one thread, which stops with the engine.
 */
final class LoadAhead implements AutoCloseable {

    /** Nodes whose next page may be held at once: each page is at most a packet of changes in memory. */
    static final int MAX_NODES = 8;

    /** What a page was read for. */
    private record Key(String cursor, Set<String> roots, int limit) {
    }

    private record Ahead(Key key, CompletableFuture<InitialLoad.Page> page, long started) {
    }

    private final Map<String, Ahead> byNode = new ConcurrentHashMap<>();
    /** Pages read ahead, and those an exchange then sent. */
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong used = new AtomicLong();
    /** The thread that reads ahead, made when the first load is served (a client serves none). */
    private ExecutorService reader;
    private boolean closed;

    private synchronized ExecutorService reader() {
        if (closed) {
            throw new RejectedExecutionException("closed");
        }
        if (reader == null) {
            reader = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "trestle-load-ahead");
                t.setDaemon(true);
                return t;
            });
        }
        return reader;
    }

    /**
     * Starts reading a node's page at a cursor, in place of the oldest page when as many as allowed are held.
     *
     * @param reading reads the page, in a transaction of its own
     */
    void start(String nodeId, String cursor, Set<String> roots, int limit, Supplier<InitialLoad.Page> reading) {
        if (byNode.size() >= MAX_NODES && !byNode.containsKey(nodeId)) {
            // a node that stopped in the middle of its load never takes its page: the oldest goes
            byNode.entrySet().stream().min(java.util.Comparator.comparingLong(e -> e.getValue().started()))
                    .ifPresent(oldest -> byNode.remove(oldest.getKey(), oldest.getValue()));
        }
        Key key = new Key(cursor, roots, limit);
        CompletableFuture<InitialLoad.Page> page = new CompletableFuture<>();
        byNode.put(nodeId, new Ahead(key, page, System.nanoTime()));
        try {
            reader().execute(() -> {
                try {
                    page.complete(reading.get());
                    read.incrementAndGet();
                } catch (RuntimeException | Error e) {
                    page.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException closed) {
            byNode.remove(nodeId);
        }
    }

    /**
     * @return the page read ahead for exactly this request, waiting for its read to end, or
     *         {@code null} when there is none (or its read failed: the caller reads it then)
     */
    InitialLoad.Page take(String nodeId, String cursor, Set<String> roots, int limit) {
        Ahead ahead = byNode.remove(nodeId);
        if (ahead == null || !ahead.key().equals(new Key(cursor, roots, limit))) {
            return null;
        }
        try {
            InitialLoad.Page page = ahead.page().get();
            used.incrementAndGet();
            return page;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            LOG.debug("A page read ahead for {} failed; it is read again", nodeId, e.getCause());
            return null;
        }
    }

    /** @return how many pages were read ahead, and how many of them an exchange sent */
    long[] counts() {
        return new long[] { read.get(), used.get() };
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (reader != null) {
            reader.shutdownNow();
        }
        byNode.clear();
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LoadAhead.class);
}
