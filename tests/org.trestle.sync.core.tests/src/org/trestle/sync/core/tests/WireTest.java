package org.trestle.sync.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.trestle.sync.api.packet.Wire;

/** The wire's timestamps: written and read directly in their one form, as the general ISO-8601 forms have them. */
class WireTest {

    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    @Test
    void timestampsAreWrittenAndReadAsTheGeneralFormsHaveThem() {
        SplittableRandom random = new SplittableRandom(42);
        long from = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 100_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(from, to + 1), random.nextInt(1_000_000_000));
            String text = Wire.format(t);
            assertEquals(ISO.format(t), text);
            assertEquals(t.truncatedTo(ChronoUnit.MILLIS), Wire.parse(text));
            assertEquals(Instant.parse(text), Wire.parse(text));
        }
        for (String edge : new String[] { "0000-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z",
                "1970-01-01T00:00:00.000Z", "2024-02-29T12:00:00.001Z", "9999-12-31T23:59:59.999Z" }) {
            assertEquals(edge, Wire.format(Wire.parse(edge)));
            assertEquals(Instant.parse(edge), Wire.parse(edge));
        }
        Instant far = Instant.parse("+10000-01-01T00:00:00Z");
        assertEquals(ISO.format(far), Wire.format(far), "past four-digit years the general form writes them");
        assertEquals(null, Wire.format(null));
    }

    @Test
    void otherIsoFormsAreReadTheGeneralWayAndNonsenseIsRefused() {
        assertEquals(Instant.parse("2026-03-04T05:06:07.123Z"), Wire.parse("2026-03-04T05:06:07.123456789Z"));
        assertEquals(Instant.parse("2026-03-04T05:06:07Z"), Wire.parse("2026-03-04T05:06:07Z"));
        assertEquals(Instant.parse("2026-03-04T04:06:07.500Z"), Wire.parse("2026-03-04T05:06:07.5+01:00"));
        assertEquals(Instant.parse("2026-01-02T00:00:00.000Z"), Wire.parse("2026-01-01T24:00:00.000Z"), "the end of a day");
        for (String bad : new String[] { "2026-02-30T00:00:00.000Z", "2025-02-29T00:00:00.000Z",
                "2026-13-01T00:00:00.000Z", "2026-01-01T00:60:00.000Z",
                "2026-01-01T00:00:00.00xZ", "2026-01-01 00:00:00.000Z", "yesterday", "", "-026-01-01T00:00:00.000Z", null }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Wire.parse(bad), bad);
            assertEquals("not an ISO-8601 UTC timestamp: " + bad, e.getMessage());
        }
    }
}
