package org.trestle.sync.client.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Retries after a failed sync wait longer each time, never past the interval, scattered by jitter. */
class BackoffTest {

    @Test
    void delaysGrowExponentiallyUpToTheCapWithJitter() {
        Random random = new Random(7);
        Duration cap = Duration.ofMinutes(5);
        for (int failures = 1; failures <= 12; failures++) {
            long expected = Math.min(5_000L << (failures - 1), cap.toMillis());
            for (int i = 0; i < 50; i++) {
                long d = Backoff.delay(failures, cap, random).toMillis();
                assertTrue(d >= expected * 0.8 - 1 && d <= expected * 1.2 + 1,
                        "failure " + failures + ": " + d + " ms, expected about " + expected);
            }
        }
    }

    @Test
    void jitterSpreadsClientsThatFailedTogether() {
        Random random = new Random(11);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 200; i++) {
            long d = Backoff.delay(3, Duration.ofMinutes(5), random).toMillis();
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        assertTrue(max - min > 4_000, "200 clients retrying after the same outage spread over " + (max - min) + " ms");
    }
}
