package org.trestle.sync.api.packet;

import java.time.Instant;
import java.time.LocalDate;
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

    /** Seconds from the epoch to 0000-01-01 and to 10000-01-01: the years written with four digits. */
    private static final long FOUR_DIGIT_YEARS_FROM = LocalDate.of(0, 1, 1).toEpochDay() * 86_400;
    private static final long FOUR_DIGIT_YEARS_TO = LocalDate.of(10_000, 1, 1).toEpochDay() * 86_400;

    public static String format(Instant instant) {
        if (instant == null) {
            return null;
        }
        long seconds = instant.getEpochSecond();
        if (seconds < FOUR_DIGIT_YEARS_FROM || seconds >= FOUR_DIGIT_YEARS_TO) {
            return TIMESTAMP.format(instant);
        }
        // the wire's one form, written directly: a packet carries two per change
        long day = Math.floorDiv(seconds, 86_400);
        int second = (int) Math.floorMod(seconds, 86_400);
        LocalDate date = LocalDate.ofEpochDay(day);
        char[] out = new char[24];
        digits(out, 0, date.getYear(), 4);
        out[4] = '-';
        digits(out, 5, date.getMonthValue(), 2);
        out[7] = '-';
        digits(out, 8, date.getDayOfMonth(), 2);
        out[10] = 'T';
        digits(out, 11, second / 3600, 2);
        out[13] = ':';
        digits(out, 14, second / 60 % 60, 2);
        out[16] = ':';
        digits(out, 17, second % 60, 2);
        out[19] = '.';
        digits(out, 20, instant.getNano() / 1_000_000, 3);
        out[23] = 'Z';
        return new String(out);
    }

    private static void digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** @throws IllegalArgumentException when the text is not an ISO-8601 instant */
    public static Instant parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("not an ISO-8601 UTC timestamp: null");
        }
        Instant wireForm = parseWireForm(text);
        if (wireForm != null) {
            return wireForm;
        }
        try {
            return Instant.parse(text).truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an ISO-8601 UTC timestamp: " + abbreviate(text));
        }
    }

    /**
     * @return the instant of a timestamp in the form {@link #format} writes, read directly
     *         (a packet carries two per change), or {@code null} for any other text, which
     *         the general ISO-8601 reading takes
     */
    private static Instant parseWireForm(String t) {
        if (t.length() != 24 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':'
                || t.charAt(16) != ':' || t.charAt(19) != '.' || t.charAt(23) != 'Z') {
            return null;
        }
        int year = number(t, 0, 4);
        int month = number(t, 5, 2);
        int day = number(t, 8, 2);
        int hour = number(t, 11, 2);
        int minute = number(t, 14, 2);
        int second = number(t, 17, 2);
        int millis = number(t, 20, 3);
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || millis < 0
                || day > java.time.Month.of(month).length(java.time.Year.isLeap(year))) {
            return null; // not a date, or a leap second: the general reading decides
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600L + minute * 60L + second, millis * 1_000_000L);
    }

    /** @return the decimal number of {@code width} digits at {@code at}, or -1 when one is not a digit */
    private static int number(String t, int at, int width) {
        int n = 0;
        for (int i = at; i < at + width; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
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
