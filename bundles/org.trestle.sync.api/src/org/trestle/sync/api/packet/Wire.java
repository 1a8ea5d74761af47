package org.trestle.sync.api.packet;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Wire forms of timestamps (ISO-8601 UTC with exactly three fraction digits) and of
 * values quoted in messages.
 *
 * @since 0.1
 */
public final class Wire {

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Wire() {
    }

    public static String format(Instant instant) {
        return instant == null ? null : TIMESTAMP.format(instant);
    }

    /** @throws IllegalArgumentException when the text is not an ISO-8601 instant */
    public static Instant parse(String text) {
        try {
            return Instant.parse(text).truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an ISO-8601 UTC timestamp: " + abbreviate(text));
        }
    }

    /** @return now, at the millisecond precision that travels on the wire */
    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    public static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
