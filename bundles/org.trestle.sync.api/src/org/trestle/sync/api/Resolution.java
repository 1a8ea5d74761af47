package org.trestle.sync.api;

import java.util.Locale;

/**
 * How a conflict ended, as reported in an exchange's {@code conflicts}.
 *
 * @since 0.1
 */
public enum Resolution {
    /** The server's version stays. */
    SERVER_WINS,
    /** The incoming version was applied. */
    CLIENT_WINS,
    /** Different attributes changed on each side: both kept. */
    MERGED,
    /** An open conflict waiting for a person. */
    MANUAL_PENDING,
    /** A person resolved it. */
    RESOLVED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Resolution fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
