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
}
