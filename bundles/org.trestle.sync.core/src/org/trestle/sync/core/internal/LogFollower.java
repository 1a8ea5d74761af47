package org.trestle.sync.core.internal;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows what other processes commit to a shared database: woken by their signals
 * (PostgreSQL {@code NOTIFY}) and at least once a second in case one was lost, it
 * brings the log's tail, the scopes and the watermarks up to date, and so wakes the
 * requests waiting here for changes another process committed.
 */
final class LogFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogFollower.class);
    static final long POLL_MILLIS = 1_000;

    private final EngineState state;
    private final Semaphore wake = new Semaphore(0);
    private final Thread thread;
    private final AutoCloseable listening;
    private volatile boolean closed;

    LogFollower(EngineState state) {
        this.state = state;
        this.listening = state.store.listen(EngineState.LOG_CHANNEL, this::wake);
        this.thread = new Thread(this::run, "Trestle log follower");
        thread.setDaemon(true);
        thread.start();
    }

    void wake() {
        wake.release();
    }

    private void run() {
        while (!closed) {
            try {
                wake.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS);
                wake.drainPermits();
                if (!closed && state.store.isOpen()) {
                    state.sharedLog.refresh();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.warn("Reading what other server processes committed failed: {}", EngineState.rootMessage(e));
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        wake.release();
        try {
            listening.close();
            thread.join(POLL_MILLIS * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Listening for other processes did not stop: {}", e.getMessage());
        }
    }
}
