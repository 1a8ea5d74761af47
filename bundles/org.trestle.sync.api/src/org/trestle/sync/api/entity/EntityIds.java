package org.trestle.sync.api.entity;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * New identities for synchronized entities: time-ordered UUIDs (RFC 9562, version 7).
 * <p>
 * The first 48 bits are the creation time in milliseconds, the next 12 a counter that
 * keeps identities made in the same millisecond in order, and the last 62 bits are
 * random. In their canonical text form, identities made later on one node sort after
 * those made earlier. Database indexes on {@code uuid} therefore grow at their end
 * instead of at random places, and entities made together (an estimate and its items)
 * are stored, read and synchronized together.
 * <p>
 * Any canonical UUID remains a valid identity: nodes never depend on the version.
 *
 * @since 0.1
 */
public final class EntityIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** The last identity's time in milliseconds, shifted left by 12, plus its counter. */
    private static final AtomicLong LAST = new AtomicLong();

    private EntityIds() {
    }

    /** @return a new identity in canonical form (36 lowercase characters) */
    public static String newUuid() {
        return next(System.currentTimeMillis(), RANDOM.nextLong()).toString();
    }

    /** After every identity made before, even when the clock stands still or steps back. */
    private static UUID next(long millis, long random) {
        long stamp = LAST.updateAndGet(last -> Math.max(last + 1, (millis & 0xFFFF_FFFF_FFFFL) << 12));
        long msb = (stamp >>> 12) << 16 | 0x7000L | (stamp & 0xFFFL);
        long lsb = random & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}
