package org.trestle.sync.server.internal.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The console's sign-in sessions, in this process's memory: a session id is random (256
 * bits) and kept only as its SHA-256, so a heap dump names no usable session. A session
 * ends after {@link #IDLE} without a request, {@link #LIFETIME} after sign-in, at sign-out,
 * and as soon as its admin token is revoked (the console checks the token at every
 * request). Failed sign-ins are counted per address: past {@link #MAX_FAILURES} in
 * {@link #FAILURE_WINDOW} that address is refused until the window has passed.
 */
final class Sessions {

    static final Duration IDLE = Duration.ofMinutes(30);
    static final Duration LIFETIME = Duration.ofHours(8);
    static final int MAX_FAILURES = 10;
    static final Duration FAILURE_WINDOW = Duration.ofMinutes(15);
    /** Sessions kept at most; the least recently used goes first. */
    private static final int MAX_SESSIONS = 1000;
    /** Addresses whose failures are counted at most; the oldest is forgotten first. */
    private static final int MAX_ADDRESSES = 10_000;

    /** One signed-in administrator. */
    record Session(String idHash, String tokenHash, String tokenName, String csrf, Instant signedIn) {
    }

    private record Failures(int count, Instant since) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Map<String, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Instant> lastSeen = new LinkedHashMap<>();
    private final Map<String, Failures> failures = new LinkedHashMap<>(16, 0.75f, true);

    Sessions(Clock clock) {
        this.clock = clock;
    }

    /** @return a new random value for a cookie or a form: 256 bits, URL-safe */
    String newSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** @return the session id to set as the cookie; the session is kept by its hash only */
    synchronized String open(String tokenHash, String tokenName) {
        String id = newSecret();
        Session s = new Session(hash(id), tokenHash, tokenName, newSecret(), clock.instant());
        sessions.put(s.idHash(), s);
        lastSeen.put(s.idHash(), s.signedIn());
        while (sessions.size() > MAX_SESSIONS) {
            String eldest = sessions.keySet().iterator().next();
            close(eldest);
        }
        return id;
    }

    /** @return the live session of a cookie value, its idle time renewed; empty when there is none */
    synchronized Optional<Session> find(String id) {
        if (id == null || id.length() > 100) {
            return Optional.empty();
        }
        String key = hash(id);
        Session s = sessions.get(key);
        if (s == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (now.isAfter(s.signedIn().plus(LIFETIME)) || now.isAfter(lastSeen.get(key).plus(IDLE))) {
            close(key);
            return Optional.empty();
        }
        lastSeen.put(key, now);
        return Optional.of(s);
    }

    /** Ends one session (sign-out, or its token no longer valid). */
    synchronized void end(Session s) {
        close(s.idHash());
    }

    private void close(String key) {
        sessions.remove(key);
        lastSeen.remove(key);
    }

    /** @return how many sessions are open now */
    synchronized int open() {
        return sessions.size();
    }

    /** @return when the address may try again, or empty when it may now */
    synchronized Optional<Instant> refusedUntil(String address) {
        Failures f = failures.get(address);
        if (f == null) {
            return Optional.empty();
        }
        Instant until = f.since().plus(FAILURE_WINDOW);
        if (clock.instant().isAfter(until)) {
            failures.remove(address);
            return Optional.empty();
        }
        return f.count() >= MAX_FAILURES ? Optional.of(until) : Optional.empty();
    }

    synchronized void failed(String address) {
        Failures f = failures.get(address);
        Instant now = clock.instant();
        failures.put(address, f == null || now.isAfter(f.since().plus(FAILURE_WINDOW)) ? new Failures(1, now)
                : new Failures(f.count() + 1, f.since()));
        for (Iterator<String> i = failures.keySet().iterator(); failures.size() > MAX_ADDRESSES && i.hasNext();) {
            i.next();
            i.remove();
        }
    }

    synchronized void succeeded(String address) {
        failures.remove(address);
    }

    /** @return whether two secrets are equal, in time independent of where they differ */
    static boolean same(String a, String b) {
        return a != null && b != null
                && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static String hash(String value) {
        return org.trestle.sync.server.internal.Secrets.hash(value);
    }
}
