package org.trestle.sync.api;

import java.util.Locale;

/**
 * How the server decides when a node changed an entity whose newer version it had not
 * seen. Chosen per entity type, with a server-wide default.
 *
 * @since 0.1
 */
public enum ConflictStrategy {
    /** The server's version stays; the incoming one is kept in history. */
    SERVER_WINS,
    /** The later {@code updatedAt} wins; ties go to the server. */
    TIMESTAMP_WINS,
    /** The server keeps its version and records an open conflict for a person. */
    MANUAL;

    /** @return the name used in extensions and on the wire, e.g. {@code server_wins} */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param name a wire name such as {@code timestamp_wins}
     * @return the strategy
     * @throws IllegalArgumentException for an unknown name
     */
    public static ConflictStrategy fromWireName(String name) {
        for (ConflictStrategy s : values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown conflict strategy '" + name
                + "': use server_wins, timestamp_wins or manual");
    }
}
