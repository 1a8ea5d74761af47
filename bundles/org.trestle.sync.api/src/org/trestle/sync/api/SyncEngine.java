package org.trestle.sync.api;

import java.util.List;

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

    @Override
    void close();
}
