package org.trestle.sync.server.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down guessing of the enrollment key: after {@link #MAX_FAILURES} wrong keys
 * from one address within a minute, that address is refused until the minute is over.
 */
final class EnrollmentGuard {

    static final int MAX_FAILURES = 10;
    private static final long WINDOW_MILLIS = 60_000;

    private record Window(long start, int failures) {
    }

    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    boolean allowed(String address, long now) {
        Window w = windows.get(address);
        return w == null || now - w.start() > WINDOW_MILLIS || w.failures() < MAX_FAILURES;
    }

    void failed(String address, long now) {
        windows.compute(address, (k, w) -> w == null || now - w.start() > WINDOW_MILLIS ? new Window(now, 1)
                : new Window(w.start(), w.failures() + 1));
        if (windows.size() > 10_000) {
            windows.entrySet().removeIf(e -> now - e.getValue().start() > WINDOW_MILLIS);
        }
    }
}
