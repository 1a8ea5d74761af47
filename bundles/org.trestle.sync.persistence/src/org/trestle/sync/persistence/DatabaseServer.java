package org.trestle.sync.persistence;

import java.util.Objects;

/**
 * A database on a database server instead of embedded in the data directory: today
 * PostgreSQL 15 or newer, reached with its JDBC URL.
 *
 * @param url      {@code jdbc:postgresql://HOST:PORT/DATABASE}
 * @param user     the database user
 * @param password the user's password, or {@code null} when the server asks for none
 *                 (never shown by {@link #toString()})
 * @since 0.1
 */
public record DatabaseServer(String url, String user, String password) {

    public DatabaseServer {
        Objects.requireNonNull(url, "url");
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("the database URL must look like jdbc:postgresql://HOST:PORT/DATABASE, not "
                    + url.replaceAll("password=[^&]*", "password=…"));
        }
        if (url.contains("password=")) {
            throw new IllegalArgumentException("the database URL must not hold the password: give it in a file");
        }
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "DatabaseServer[" + url + ", user " + user + "]";
    }
}
