package org.trestle.sync.client.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncStatus;

/**
 * The background synchronization: an Eclipse {@link Job} with progress that runs on the
 * configured interval and reschedules itself, retrying with capped exponential backoff
 * and jitter while the server cannot be reached, and stopping when a person must act
 * (register again, update).
 */
final class BackgroundSync extends Job {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundSync.class);

    /** One synchronization, as the sync service runs it. */
    interface Attempt {
        void run(IProgressMonitor monitor) throws SyncException;
    }

    private final Attempt attempt;
    private final Supplier<Duration> interval;
    private final BooleanSupplier enabled;
    private final Random random = new Random();
    private volatile Instant nextAttempt;
    private volatile int failures;
    /** Asked to run again as soon as the running synchronization ends. */
    private volatile boolean again;
    /** When the last synchronization for local commits was set to start. */
    private long lastCommitStart = System.nanoTime() - Duration.ofDays(1).toNanos();

    /**
     * @param enabled whether synchronizing in the background is allowed now (automatic
     *                synchronization on, registered, nothing for a person to do)
     */
    BackgroundSync(Attempt attempt, Supplier<Duration> interval, BooleanSupplier enabled) {
        super("Synchronizing with the Trestle server");
        this.attempt = attempt;
        this.interval = interval;
        this.enabled = enabled;
        setSystem(false);
        setUser(false);
    }

    /** @return when the next attempt runs, or {@code null} when none is scheduled */
    Instant nextAttempt() {
        return nextAttempt;
    }

    /** Counts a failed synchronization, for the backoff. */
    void failed() {
        failures++;
    }

    /** A synchronization went through: the backoff starts over. */
    void succeeded() {
        failures = 0;
    }

    /** Runs the next synchronization after the delay, if background synchronization is allowed. */
    void reschedule(Duration delay) {
        cancel();
        if (enabled.getAsBoolean()) {
            nextAttempt = Instant.now().plus(delay);
            schedule(delay.toMillis());
        } else {
            nextAttempt = null;
        }
    }

    /**
     * Runs a synchronization after at most this delay: sooner than the one scheduled, or
     * right after the one running (which is not interrupted).
     */
    void soon(Duration delay) {
        if (!enabled.getAsBoolean()) {
            return;
        }
        if (getState() == RUNNING) {
            again = true;
            return;
        }
        Instant at = Instant.now().plus(delay);
        Instant scheduled = nextAttempt;
        if (getState() == WAITING || getState() == SLEEPING) {
            if (scheduled != null && !scheduled.isAfter(at)) {
                return;
            }
        }
        reschedule(delay);
    }

    /**
     * A local commit: a synchronization starts at once when none was started for local
     * commits within the debounce, otherwise when the debounce since that one has passed.
     * The first edit after a quiet spell goes out at once; a burst of edits goes out in
     * one or a few exchanges.
     */
    synchronized void afterLocalCommit(Duration debounce) {
        long now = System.nanoTime();
        long since = now - lastCommitStart;
        long at = since <= 0 ? lastCommitStart // joins the one set to start
                : since < debounce.toNanos() ? lastCommitStart + debounce.toNanos() : now;
        lastCommitStart = at;
        soon(Duration.ofNanos(at - now));
    }

    @Override
    protected IStatus run(IProgressMonitor monitor) {
        again = false;
        monitor.beginTask("Synchronizing", IProgressMonitor.UNKNOWN);
        Duration next = interval.get();
        try {
            attempt.run(monitor);
        } catch (SyncException e) {
            if (e.status() == SyncStatus.OFFLINE) {
                next = Backoff.delay(failures, interval.get(), random);
            } else if (e.status() == SyncStatus.REREGISTER || e.status() == SyncStatus.INCOMPATIBLE) {
                nextAttempt = null;
                return Status.OK_STATUS; // a person must act; no retry loop
            }
        } catch (RuntimeException e) {
            LOG.error("Background synchronization failed", e);
            next = Backoff.delay(++failures, interval.get(), random);
        } finally {
            monitor.done();
        }
        if (again && failures == 0) {
            next = Duration.ZERO; // changes arrived or were made while this one ran
        }
        if (!monitor.isCanceled() && enabled.getAsBoolean()) {
            nextAttempt = Instant.now().plus(next);
            schedule(next.toMillis());
        }
        return Status.OK_STATUS;
    }
}
