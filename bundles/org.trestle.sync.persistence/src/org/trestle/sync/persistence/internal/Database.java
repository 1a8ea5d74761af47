package org.trestle.sync.persistence.internal;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.trestle.sync.persistence.BulkRows;
import org.trestle.sync.persistence.StoreDefinition;

/**
 * What differs between the databases a store can live in: how it is reached, which
 * platform EclipseLink speaks to, how it is backed up and closed, and how its errors
 * read. Every query goes through JPA, so the rest of Trestle does not know which one it
 * runs on. {@link EmbeddedDerby} is the default; {@link PostgreSqlDatabase} runs a
 * server on PostgreSQL.
 */
interface Database {

    /** Connects (creating or booting the database where that is this database's part) and checks it. */
    DataSource open(StoreDefinition definition);

    /** @return EclipseLink's name for the platform, {@code eclipselink.target-database} */
    String eclipseLinkTarget();

    /** @return the product and version, for display */
    String describe(DataSource dataSource);

    /** An online backup into {@code target}; @return the folder holding the copy */
    Path backup(DataSource dataSource, Path dataDirectory, Path target);

    /** @return whether other processes may write the database at the same time */
    default boolean sharedByProcesses() {
        return false;
    }

    /** @return persistence unit settings this database needs beyond the common ones */
    default Map<String, String> unitProperties() {
        return Map.of();
    }

    /** See {@link org.trestle.sync.persistence.LocalStore#signal}. */
    default void signal(Connection connection, String channel) throws SQLException {
    }

    /** See {@link org.trestle.sync.persistence.LocalStore#listen}. */
    default AutoCloseable listen(DataSource dataSource, String channel, Runnable onSignal) {
        return () -> {
        };
    }

    /** See {@link org.trestle.sync.persistence.LocalStore#insertInBulk}. */
    default boolean insertInBulk(Connection connection, String table, List<String> columns,
            BulkRows rows) throws SQLException {
        return false;
    }

    /** See {@link org.trestle.sync.persistence.LocalStore#readThroughIndex}. */
    default String readThroughIndex(String table, String index) {
        return table;
    }

    /** Closes the pooled connections and, for an embedded database, shuts it down. */
    void shutdown(DataSource dataSource, Path dataDirectory);
}
