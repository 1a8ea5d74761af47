package org.trestle.sync.api;

import java.util.List;
import java.util.function.Function;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

/**
 * The synchronization engine of one node's database.
 *
 * @since 0.1
 */
public interface SyncEngine extends AutoCloseable {

    /** @return this node, or {@code null} before it was initialized as server or client */
    NodeInfo self();

    /** @return the entity types contributed through the extension point */
    List<EntityTypeInfo> entityTypes();

    /** @return the factory of entity managers over this node's database; every write through it is captured */
    EntityManagerFactory entityManagerFactory();

    SyncManager syncManager();

    PacketManager packetManager();

    ConflictResolver conflictResolver();

    /** @return the entities by type name, with their attributes' metadata */
    EntityStore entities();

    /** @return nodes, tokens, counts and backups */
    NodeAdministration administration();

    /**
     * Runs work in one transaction through plain JPA; rolls back on any failure. Writes
     * are captured for synchronization.
     */
    <T> T inTx(Function<EntityManager, T> work);

    /** Runs read-only work through plain JPA. */
    <T> T read(Function<EntityManager, T> work);

    @Override
    void close();
}
