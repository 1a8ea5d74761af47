package org.trestle.sync.api;

/**
 * Where a server keeps its database when it is not the embedded default: PostgreSQL 15
 * or newer, reached with its JDBC URL. Several server processes may share one.
 *
 * @param url      {@code jdbc:postgresql://HOST:PORT/DATABASE}
 * @param user     the database user
 * @param password the user's password, or {@code null} when none is asked (never shown by
 *                 {@link #toString()})
 * @since 0.1
 */
public record DatabaseServer(String url, String user, String password) {

    /** Never shows the password. */
    @Override
    public String toString() {
        return "DatabaseServer[" + url + ", user " + user + "]";
    }
}
