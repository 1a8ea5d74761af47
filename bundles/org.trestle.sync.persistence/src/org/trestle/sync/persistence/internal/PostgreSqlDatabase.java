package org.trestle.sync.persistence.internal;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;

import javax.sql.DataSource;

import org.trestle.sync.persistence.DatabaseServer;
import org.trestle.sync.persistence.StoreDefinition;
import org.trestle.sync.persistence.StoreException;

/**
 * PostgreSQL 15 or newer, reached over JDBC: the server's database when one machine or
 * one process is not enough. The schema is created and extended by EclipseLink, as on
 * Derby; backups are PostgreSQL's own ({@code pg_dump}).
 */
final class PostgreSqlDatabase implements Database {

    static final int OLDEST_MAJOR = 15;

    /** The connection failed (refused, unknown host, timed out). */
    private static final String STATE_CONNECTION = "08001";
    private static final String STATE_BAD_PASSWORD = "28P01";
    private static final String STATE_NO_AUTHORIZATION = "28000";
    private static final String STATE_NO_DATABASE = "3D000";

    @Override
    public DataSource open(StoreDefinition definition) {
        DatabaseServer server = definition.server();
        Driver driver;
        try {
            driver = new org.postgresql.Driver();
        } catch (NoClassDefFoundError e) {
            throw new StoreException("This installation has no PostgreSQL driver (the bundle org.postgresql.jdbc); "
                    + "the server product includes it", null);
        }
        Properties properties = new Properties();
        if (server.user() != null) {
            properties.setProperty("user", server.user());
        }
        if (server.password() != null) {
            properties.setProperty("password", server.password());
        }
        properties.setProperty("ApplicationName", "Trestle server");
        properties.setProperty("connectTimeout", "10");
        PooledDataSource dataSource = new PooledDataSource(driver, server.url(), properties);
        try (Connection probe = dataSource.getConnection()) {
            int major = probe.getMetaData().getDatabaseMajorVersion();
            if (major < OLDEST_MAJOR) {
                dataSource.close();
                throw new StoreException("PostgreSQL " + probe.getMetaData().getDatabaseProductVersion() + " at "
                        + server.url() + " is too old: Trestle needs PostgreSQL " + OLDEST_MAJOR + " or newer", null);
            }
        } catch (SQLException e) {
            dataSource.close();
            throw translate(server, e);
        }
        return dataSource;
    }

    @Override
    public String eclipseLinkTarget() {
        return "PostgreSQL";
    }

    @Override
    public String describe(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            var meta = c.getMetaData();
            return meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion() + " (" + meta.getURL() + ")";
        } catch (SQLException e) {
            return "PostgreSQL";
        }
    }

    /** Any number of server processes may use one PostgreSQL database. */
    @Override
    public boolean sharedByProcesses() {
        return true;
    }

    /**
     * No shared cache of entities: another process may change any row, so every
     * transaction reads the rows it works on from the database.
     */
    @Override
    public java.util.Map<String, String> unitProperties() {
        return java.util.Map.of("eclipselink.cache.shared.default", "false");
    }

    @Override
    public void signal(Connection connection, String channel) throws SQLException {
        try (java.sql.PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, '')")) {
            notify.setString(1, channel);
            notify.execute();
        }
    }

    @Override
    public AutoCloseable listen(DataSource dataSource, String channel, Runnable onSignal) {
        return new PostgreSqlListener((PooledDataSource) dataSource, channel, onSignal);
    }

    @Override
    public Path backup(DataSource dataSource, Path dataDirectory, Path target) {
        throw new StoreException("The database is on PostgreSQL: back it up with pg_dump (see the administrator's guide)");
    }

    @Override
    public void shutdown(DataSource dataSource, Path dataDirectory) {
        if (dataSource instanceof PooledDataSource pooled) {
            pooled.close();
        }
    }

    private static StoreException translate(DatabaseServer server, SQLException e) {
        String state = String.valueOf(e.getSQLState());
        String where = server.url() + (server.user() == null ? "" : " as " + server.user());
        if (STATE_BAD_PASSWORD.equals(state) || STATE_NO_AUTHORIZATION.equals(state)) {
            return new StoreException("PostgreSQL at " + where + " refused the user or password: " + e.getMessage(), null);
        }
        if (STATE_NO_DATABASE.equals(state)) {
            return new StoreException("PostgreSQL has no such database: " + server.url()
                    + " (create it first, see the administrator's guide)", null);
        }
        if (state.startsWith(STATE_CONNECTION.substring(0, 2))) {
            return new StoreException("Cannot reach PostgreSQL at " + server.url() + ": " + e.getMessage(), null);
        }
        return new StoreException("Could not open the database " + where + ": " + e.getMessage(), null);
    }
}
