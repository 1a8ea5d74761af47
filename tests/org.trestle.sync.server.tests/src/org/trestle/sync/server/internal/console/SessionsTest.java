package org.trestle.sync.server.internal.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

/** The console's sessions and sign-in throttle, on a clock the test moves. */
class SessionsTest {

    /** A clock that stands still until the test moves it. */
    private static final class Moving extends Clock {
        Instant now = Instant.parse("2026-12-04T08:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void aSessionEndsWhenIdle() {
        Moving clock = new Moving();
        Sessions sessions = new Sessions(clock);
        String id = sessions.open("hash-a", "ops");
        clock.now = clock.now.plus(Sessions.IDLE).minusSeconds(1);
        assertTrue(sessions.find(id).isPresent(), "used just in time: its idle time starts again");
        clock.now = clock.now.plus(Sessions.IDLE).plusSeconds(1);
        assertTrue(sessions.find(id).isEmpty(), "idle past the limit");
        assertEquals(0, sessions.open());
    }

    @Test
    void aSessionEndsAfterItsLifetimeHoweverOftenItIsUsed() {
        Moving clock = new Moving();
        Sessions sessions = new Sessions(clock);
        String id = sessions.open("hash-a", "ops");
        Instant end = clock.now.plus(Sessions.LIFETIME);
        while (clock.now.plus(Duration.ofMinutes(20)).isBefore(end)) {
            clock.now = clock.now.plus(Duration.ofMinutes(20));
            assertTrue(sessions.find(id).isPresent(), "in use every 20 minutes, at " + clock.now);
        }
        clock.now = end.plusSeconds(1);
        assertTrue(sessions.find(id).isEmpty(), "past its lifetime even in use");
    }

    @Test
    void sessionsAreKeptByHashAndEndAtSignOut() {
        Sessions sessions = new Sessions(new Moving());
        String id = sessions.open("hash-a", "ops");
        Sessions.Session s = sessions.find(id).orElseThrow();
        assertFalse(s.idHash().contains(id), "the id is kept hashed only");
        assertEquals(64, s.idHash().length());
        assertTrue(s.csrf().length() >= 43, "256 random bits for the form check");
        assertTrue(sessions.find(id + "x").isEmpty());
        assertTrue(sessions.find(null).isEmpty());
        sessions.end(s);
        assertTrue(sessions.find(id).isEmpty());
    }

    @Test
    void repeatedFailuresRefuseAnAddressForAWhileOnly() {
        Moving clock = new Moving();
        Sessions sessions = new Sessions(clock);
        for (int i = 0; i < Sessions.MAX_FAILURES - 1; i++) {
            sessions.failed("192.0.2.7");
        }
        assertTrue(sessions.refusedUntil("192.0.2.7").isEmpty(), "below the limit");
        sessions.failed("192.0.2.7");
        assertEquals(clock.now.plus(Sessions.FAILURE_WINDOW), sessions.refusedUntil("192.0.2.7").orElseThrow());
        assertTrue(sessions.refusedUntil("192.0.2.8").isEmpty(), "another address is not refused");
        clock.now = clock.now.plus(Sessions.FAILURE_WINDOW).plusSeconds(1);
        assertTrue(sessions.refusedUntil("192.0.2.7").isEmpty(), "the window has passed");
        sessions.failed("192.0.2.7");
        assertTrue(sessions.refusedUntil("192.0.2.7").isEmpty(), "counting starts again");
    }

    @Test
    void secretsAreComparedWhole() {
        assertTrue(Sessions.same("abc", "abc"));
        assertFalse(Sessions.same("abc", "abd"));
        assertFalse(Sessions.same("abc", null));
        assertFalse(Sessions.same(null, null));
    }
}
