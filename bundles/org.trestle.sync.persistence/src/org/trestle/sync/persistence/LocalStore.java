package org.trestle.sync.persistence;

import java.nio.file.Path;

import jakarta.persistence.EntityManagerFactory;

/**
 * An open local database. Closing it closes its {@link EntityManagerFactory} and shuts
 * the database down cleanly, so that another process may open the directory next.
 *
 * @since 0.1
 */
public interface LocalStore extends AutoCloseable {

    /** @return the factory of entity managers over this store */
    EntityManagerFactory entityManagerFactory();

    /** @return the data directory the store lives in */
    Path directory();

    /** @return a short description of the database product and version, for display */
    String databaseDescription();

    /**
     * Copies the database into {@code targetDirectory} while the store stays in use (an
     * online backup): the copy is consistent as of one moment, and writers wait only
     * while the copy is taken. The copy is a complete database folder; put it in place of
     * a data directory's database folder ({@link #databaseFolder()}) to restore it.
     *
     * @param targetDirectory a folder that does not exist yet or is empty
     * @return the folder holding the copied database
     * @throws StoreException when the copy cannot be written; the store is unaffected
     * @since 0.1
     */
    Path backup(Path targetDirectory);

    /** @return the folder inside the data directory that holds the database itself */
    Path databaseFolder();

    /**
     * @return whether other processes may write this database at the same time (a database
     *         server such as PostgreSQL); an embedded database belongs to one process
     * @since 0.1
     */
    default boolean sharedByProcesses() {
        return false;
    }

    /**
     * Tells every process listening on {@code channel} ({@link #listen}) once the
     * transaction of {@code connection} commits; nothing when it rolls back. Does nothing
     * on a database that belongs to one process.
     *
     * @param connection the connection of a transaction in progress
     * @param channel    a lowercase name of letters, digits and underscores
     * @since 0.1
     */
    default void signal(java.sql.Connection connection, String channel) throws java.sql.SQLException {
    }

    /**
     * Calls {@code onSignal} (on a thread of the store's own) after another transaction
     * signalled on {@code channel} committed, and after the listening connection was lost
     * and reconnected (signals may have been missed meanwhile). Never calls it on a
     * database that belongs to one process.
     *
     * @return what stops listening when closed; closing the store stops it too
     * @since 0.1
     */
    default AutoCloseable listen(String channel, Runnable onSignal) {
        return () -> {
        };
    }

    /**
     * Inserts rows into a table with one statement, in the database's own way of loading
     * many rows where it has one, as part of the transaction of {@code connection}.
     * Embedded Derby writes the rows of a table that is empty without logging each of them
     * and builds the table's indexes once at the end, checking its keys and references
     * then; into a table that holds rows it inserts them one by one.
     *
     * @param connection the connection of a transaction in progress
     * @param table      the table
     * @param columns    the columns the rows give values for, in their order
     * @param rows       the rows, read once as the database writes them
     * @return whether the rows were inserted so; {@code false} when this database has no
     *         such way or cannot take one of the columns so (nothing was read from
     *         {@code rows}): the caller inserts them another way
     * @throws SQLException when the insert fails (a row breaks a key or a reference, or
     *                      {@code rows} failed): nothing of it stays once the transaction
     *                      rolls back
     * @since 0.1
     */
    default boolean insertInBulk(java.sql.Connection connection, String table, java.util.List<String> columns,
            BulkRows rows) throws java.sql.SQLException {
        return false;
    }

    /**
     * Names {@code table} in the FROM clause of a native query so that the database reads
     * it through {@code index}. Embedded Derby may otherwise read another index whose
     * columns begin the same (a reference's own) and sort the rows of a query that orders
     * by the named index's columns; other databases get the table's name back.
     *
     * @param table a table's name as the query would give it
     * @param index the name of an index of that table that exists
     * @return what the query puts in place of the table's name
     * @since 0.1
     */
    default String readThroughIndex(String table, String index) {
        return table;
    }

    /** @return whether {@link #close()} has not been called yet */
    boolean isOpen();

    /** Closes the store; further calls do nothing. */
    @Override
    void close();
}
