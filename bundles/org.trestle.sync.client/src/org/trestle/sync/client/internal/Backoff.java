package org.trestle.sync.client.internal;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Capped exponential backoff with jitter for retries after the server could not be reached. */
final class Backoff {

    static final Duration FIRST = Duration.ofSeconds(5);

    private Backoff() {
    }

    /**
     * @param failures how many attempts in a row failed (1 after the first failure)
     * @param cap      the longest wait, normally the sync interval
     * @return the wait before the next attempt: 5 s, 10 s, 20 s ... up to the cap, each
     *         scattered by up to a fifth either way so that many laptops coming back
     *         online do not all call at once
     */
    static Duration delay(int failures, Duration cap, RandomGenerator random) {
        long base = FIRST.toMillis() << Math.min(Math.max(failures - 1, 0), 20);
        long capped = Math.min(base, Math.max(cap.toMillis(), FIRST.toMillis()));
        double jitter = 0.8 + 0.4 * random.nextDouble();
        return Duration.ofMillis((long) (capped * jitter));
    }
}
