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

    /** @return whether {@link #close()} has not been called yet */
    boolean isOpen();

    /** Closes the store; further calls do nothing. */
    @Override
    void close();
}
