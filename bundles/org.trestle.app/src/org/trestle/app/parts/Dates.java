package org.trestle.app.parts;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.FormatStyle;
import java.time.format.ResolverStyle;
import java.util.List;
import java.util.Locale;

/**
 * Dates as the user's locale writes them ("03.12.2026" in German, "Dec 3, 2026" in
 * English), stored as ISO dates ("2026-12-03"), and read back from what a person types:
 * the locale's medium or short form, or an ISO date.
 *
 * @since 0.1
 */
public final class Dates {

    private Dates() {
    }

    private static Locale locale() {
        return Locale.getDefault(Locale.Category.FORMAT);
    }

    private static DateTimeFormatter medium() {
        return DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM).withLocale(locale());
    }

    /** @return a stored ISO date as the locale writes it, or the text as it is when it is not one */
    public static String shown(String stored) {
        if (stored == null || stored.isEmpty()) {
            return "";
        }
        try {
            return medium().format(LocalDate.parse(stored));
        } catch (DateTimeParseException e) {
            return stored;
        }
    }

    /** @return a date as the locale writes it */
    public static String shown(LocalDate date) {
        return medium().format(date);
    }

    /**
     * @return what a person typed as an ISO date, for storing; empty for empty text
     * @throws IllegalArgumentException naming the form expected, when it is not a date
     */
    public static String plain(String typed) {
        String text = typed == null ? "" : typed.trim();
        if (text.isEmpty()) {
            return "";
        }
        return parse(text).toString();
    }

    /** @return the date a person typed, or {@code null} when the text is none */
    public static LocalDate parseOrNull(String typed) {
        try {
            return typed == null || typed.isBlank() ? null : parse(typed.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static LocalDate parse(String text) {
        List<DateTimeFormatter> forms = List.of(DateTimeFormatter.ISO_LOCAL_DATE, medium(),
                DateTimeFormatter.ofLocalizedDate(FormatStyle.SHORT).withLocale(locale()));
        for (DateTimeFormatter form : forms) {
            try {
                return LocalDate.parse(text, form.withResolverStyle(ResolverStyle.SMART));
            } catch (DateTimeParseException e) {
                // the next form
            }
        }
        throw new IllegalArgumentException("not a date: write it as " + shown(LocalDate.of(2026, 12, 31)));
    }
}
