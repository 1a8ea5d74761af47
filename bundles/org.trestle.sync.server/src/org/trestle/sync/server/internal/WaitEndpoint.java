package org.trestle.sync.server.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.NodeScope;
import org.trestle.sync.api.QueuedChange;
import org.trestle.sync.api.SyncEngine;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code GET /api/sync/wait?timeout=<seconds>}: a node waits until the server holds a
 * change for it that no packet has carried yet (PROTOCOL.md, Push). A waiting request holds
 * no thread: it is answered from the thread that committed the change, or from the timer.
 * <p>
 * Waiters are indexed by what they receive (every change, or the changes of a few roots),
 * so a committed change wakes only the nodes that receive it, at a cost that grows with
 * them rather than with every node waiting.
 */
final class WaitEndpoint implements Consumer<List<QueuedChange>>, AutoCloseable {

    static final int DEFAULT_TIMEOUT = 25;
    static final int MAX_TIMEOUT = 60;

    private final ObjectMapper json;
    private final SyncEngine engine;
    private final Authentication auth;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "trestle-wait-timer");
        t.setDaemon(true);
        return t;
    });
    /** The waiters of each node. */
    private final Map<String, Set<Waiter>> byNode = new ConcurrentHashMap<>();
    /** Nodes receiving every root, waiting. */
    private final Set<String> everything = ConcurrentHashMap.newKeySet();
    /** Root uuid to the waiting nodes whose scope holds it. */
    private final Map<String, Set<String>> byRoot = new ConcurrentHashMap<>();

    private final class Waiter {
        final String node;
        final List<String> roots;
        final Response response;
        final Callback callback;
        final AtomicBoolean done = new AtomicBoolean();
        volatile ScheduledFuture<?> timeout;

        Waiter(String node, List<String> roots, Response response, Callback callback) {
            this.node = node;
            this.roots = roots;
            this.response = response;
            this.callback = callback;
        }

        void answer(long pending) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            forget(this);
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
            ErrorBody.writeJson(json, response, callback, 200, Map.of("pending_changes", pending));
        }

        void abandon(Throwable failure) {
            if (done.compareAndSet(false, true)) {
                forget(this);
                ScheduledFuture<?> t = timeout;
                if (t != null) {
                    t.cancel(false);
                }
                callback.failed(failure);
            }
        }
    }

    WaitEndpoint(ObjectMapper json, SyncEngine engine, Authentication auth) {
        this.json = json;
        this.engine = engine;
        this.auth = auth;
        engine.syncManager().addQueueListener(this);
    }

    void waitFor(Request request, Response response, Callback callback) {
        NodeInfo node = auth.node(request);
        int seconds = timeout(Request.extractQueryParameters(request));
        NodeScope scope = engine.administration().scope(node.nodeId());
        Waiter w = new Waiter(node.nodeId(), scope.all() ? null : scope.roots(), response, callback);
        // the connection stays quiet while the request waits: it must outlive the wait
        var endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        long idle = endPoint.getIdleTimeout();
        endPoint.setIdleTimeout((seconds + 15) * 1000L);
        // the connection's next request gets the usual idle timeout again
        Request.addCompletionListener(request, failure -> endPoint.setIdleTimeout(idle));
        request.addFailureListener(w::abandon);
        // registered before counting, so a change committed in between wakes it
        byNode.computeIfAbsent(w.node, k -> ConcurrentHashMap.newKeySet()).add(w);
        if (w.roots == null) {
            everything.add(w.node);
        } else {
            for (String root : w.roots) {
                byRoot.computeIfAbsent(root, k -> ConcurrentHashMap.newKeySet()).add(w.node);
            }
        }
        w.timeout = timer.schedule(() -> w.answer(0), seconds, TimeUnit.SECONDS);
        long unsent = engine.syncManager().unsentCount(w.node);
        if (unsent > 0) {
            w.answer(unsent);
        }
    }

    private static int timeout(Fields query) {
        String v = query.getValue("timeout");
        if (v == null) {
            return DEFAULT_TIMEOUT;
        }
        try {
            int t = Integer.parseInt(v.trim());
            if (t >= 1 && t <= MAX_TIMEOUT) {
                return t;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiError(400, "invalid_timeout", "timeout must be a whole number of seconds from 1 to " + MAX_TIMEOUT);
    }

    private void forget(Waiter w) {
        Set<Waiter> mine = byNode.get(w.node);
        if (mine != null) {
            mine.remove(w);
            if (mine.isEmpty()) {
                byNode.remove(w.node, mine);
                everything.remove(w.node);
                if (w.roots != null) {
                    for (String root : w.roots) {
                        Set<String> nodes = byRoot.get(root);
                        if (nodes != null) {
                            nodes.remove(w.node);
                        }
                    }
                }
            }
        }
    }

    /** Changes just committed: wakes the waiting nodes that receive them. */
    @Override
    public void accept(List<QueuedChange> rows) {
        if (byNode.isEmpty()) {
            return;
        }
        Map<String, Long> woken = new java.util.HashMap<>();
        for (QueuedChange c : rows) {
            if (c.target() != null) {
                count(woken, c.target(), c);
            } else if (c.root() == null) {
                for (String node : byNode.keySet()) {
                    count(woken, node, c);
                }
            } else {
                for (String node : everything) {
                    count(woken, node, c);
                }
                Set<String> scoped = byRoot.get(c.root());
                if (scoped != null) {
                    for (String node : scoped) {
                        count(woken, node, c);
                    }
                }
            }
        }
        woken.forEach((node, n) -> {
            Set<Waiter> waiting = byNode.get(node);
            if (waiting != null) {
                for (Waiter w : List.copyOf(waiting)) {
                    w.answer(n);
                }
            }
        });
    }

    private static void count(Map<String, Long> woken, String node, QueuedChange c) {
        if (!node.equals(c.origin())) {
            woken.merge(node, 1L, Long::sum);
        }
    }

    /** @return the requests waiting now */
    int waiting() {
        return byNode.values().stream().mapToInt(Set::size).sum();
    }

    @Override
    public void close() {
        engine.syncManager().removeQueueListener(this);
        timer.shutdownNow();
        for (Set<Waiter> waiters : byNode.values()) {
            for (Waiter w : List.copyOf(waiters)) {
                w.answer(0);
            }
        }
    }
}
