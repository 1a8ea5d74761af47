package org.trestle.sync.client.internal;

import java.time.Duration;
import java.util.Random;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.client.HttpTransport;

/**
 * Keeps one wait open at the server while the node is online (PROTOCOL.md, Push) and asks
 * for a synchronization as soon as it answers that changes are waiting. When the server
 * cannot be reached it waits with jittered backoff; the interval poll stays the fallback,
 * and a server without the endpoint is simply not waited on.
 */
final class PushWatch {

    private static final Logger LOG = LoggerFactory.getLogger(PushWatch.class);
    static final int WAIT_SECONDS = 25;
    private static final Duration CAP = Duration.ofMinutes(2);

    /** Gives the transport to wait with, or fails when the node cannot synchronize now. */
    interface Transports {
        HttpTransport get() throws SyncException;
    }

    private final Transports transports;
    private final BooleanSupplier enabled;
    private final Runnable changesWaiting;
    private final Random random = new Random();
    private volatile Thread thread;
    private volatile boolean stopped;

    PushWatch(Transports transports, BooleanSupplier enabled, Runnable changesWaiting) {
        this.transports = transports;
        this.enabled = enabled;
        this.changesWaiting = changesWaiting;
    }

    synchronized void start() {
        if (thread != null || stopped) {
            return;
        }
        Thread t = new Thread(this::loop, "trestle-push");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void stop() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        int failures = 0;
        while (!stopped) {
            try {
                if (!enabled.getAsBoolean()) {
                    Thread.sleep(1_000);
                    continue;
                }
                long waiting = transports.get().waitForChanges(WAIT_SECONDS);
                failures = 0;
                if (waiting > 0) {
                    changesWaiting.run();
                    // the exchange now under way carries them; the next wait starts after it
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                return;
            } catch (SyncException e) {
                if (HttpTransport.NOT_SUPPORTED.equals(e.getMessage())) {
                    LOG.info("The server does not offer push; changes arrive at the interval");
                    return;
                }
                failures++;
                if (!sleep(Backoff.delay(failures, CAP, random))) {
                    return;
                }
            } catch (RuntimeException e) {
                LOG.warn("Waiting for the server's changes failed", e);
                failures++;
                if (!sleep(Backoff.delay(failures, CAP, random))) {
                    return;
                }
            }
        }
    }

    private boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return !stopped;
        } catch (InterruptedException e) {
            return false;
        }
    }
}
