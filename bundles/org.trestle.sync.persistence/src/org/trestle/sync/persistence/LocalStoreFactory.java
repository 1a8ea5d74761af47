package org.trestle.sync.persistence;

/**
 * Opens local stores. Registered as an OSGi service; stores it opened are closed when
 * the service goes away.
 *
 * @since 0.1
 */
public interface LocalStoreFactory {

    /**
     * Opens the database in {@code definition.directory()}, creating it on first use and
     * creating or extending tables so that they hold every mapped attribute.
     *
     * @param definition the directory and the classes of the persistence unit
     * @return the open store
     * @throws StoreException with a message meant for a person when the directory cannot
     *                        be used (not writable, held by another process, corrupt)
     */
    LocalStore open(StoreDefinition definition);

    /**
     * Copies every table of a store into another of the same persistence unit, for
     * example from the embedded database to a database server: the target's tables are
     * created first and must be empty. Everything is copied in one transaction, parents
     * before children, and each table's rows are counted on both sides. Neither store
     * may be open meanwhile.
     *
     * @return the rows copied per table, all counted equal on both sides
     * @throws StoreException when the target holds rows already, or a count differs
     * @since 0.1
     */
    java.util.Map<String, Long> copy(StoreDefinition from, StoreDefinition to);
}
