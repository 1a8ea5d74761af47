package org.trestle.sync.api;

import java.nio.file.Path;

/**
 * Opens sync engines over node databases. An OSGi service.
 *
 * @since 0.1
 */
public interface SyncEngineFactory {

    /**
     * Opens (creating on first use) the node database in a data directory, with every
     * contributed entity type.
     */
    SyncEngine open(Path dataDirectory, EngineSettings settings);

    /**
     * Opens the node database with exactly these entity types instead of every contributed
     * one: a tool that works on some types, or a node that runs another version of a
     * type's declaration than the installed plugin (to try a rollout before it ships).
     */
    SyncEngine open(Path dataDirectory, EngineSettings settings, java.util.List<EntityTypeInfo> types);

    /**
     * Opens the node database encrypted at rest (AES-256) under the key; a database still in
     * plain files is encrypted on this open without losing a row.
     *
     * @param encryptionKey 64 hex digits; keep it where the database is not (the client keeps
     *                      it in Equinox secure storage)
     */
    SyncEngine open(Path dataDirectory, EngineSettings settings, String encryptionKey);

    /**
     * Opens the node database on a database server instead of embedded in the data
     * directory (which keeps everything else); the schema is created or extended on open.
     *
     * @throws IllegalArgumentException for a URL that names no supported database
     */
    SyncEngine open(Path dataDirectory, EngineSettings settings, DatabaseServer database);

    /**
     * Copies the embedded node database of a data directory, every table and row, into an
     * empty database on a database server, and counts both sides. Nothing else may have
     * either open meanwhile. A server moved this way keeps its nodes, their tokens and
     * their packet numbers: the nodes carry on without registering again.
     *
     * @return the rows copied per table
     */
    java.util.Map<String, Long> copy(Path dataDirectory, EngineSettings settings, DatabaseServer to);
}
