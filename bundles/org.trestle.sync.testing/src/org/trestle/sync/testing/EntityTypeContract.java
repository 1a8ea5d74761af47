package org.trestle.sync.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.trestle.sync.api.ConflictStrategy;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.Resolution;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.SyncEngine;

/**
 * The contract every synchronized entity type meets. A plugin author extends this class
 * in a test bundle, says how to make a valid entity and how to change it, and runs it:
 * the type is then shown to be stored, synchronized both ways, deleted for good, and
 * conflict-resolved with the strategy it declares, between a server and two clients on
 * real databases.
 *
 * @param <E> the entity class
 * @since 0.1
 */
@TestInstance(Lifecycle.PER_CLASS)
public abstract class EntityTypeContract<E extends SyncEntity> {

    private SyncTestNodes nodes;

    /** @return the entity type name as declared in the extension */
    protected abstract String entityType();

    /**
     * Creates and persists a valid new entity (and any parents it needs) on a node.
     *
     * @param em an entity manager in an open transaction
     */
    protected abstract E create(EntityManager em);

    /**
     * Changes one attribute of the entity so that two different calls ({@code variant}
     * 1 and 2) give different values.
     */
    protected abstract void modify(E entity, int variant);

    @BeforeAll
    void startNodes() {
        nodes = SyncTestNodes.start(2);
    }

    @AfterAll
    void stopNodes() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void theTypeIsDeclaredThroughTheExtensionPoint() {
        EntityTypeInfo info = info();
        assertNotNull(info, entityType() + " is not among the contributed entity types");
    }

    @Test
    void anEntityCreatedOnOneClientReachesTheServerAndTheOtherClient() {
        SyncEngine a = nodes.client(0);
        String uuid = SyncTestNodes.write(a, em -> create(em).getUuid());
        nodes.syncAll();
        nodes.assertConverged();
        assertNotNull(find(nodes.client(1), uuid), "the entity did not reach the other client");
    }

    @Test
    void anEditOnTheServerReachesEveryClient() {
        String uuid = SyncTestNodes.write(nodes.server(), em -> create(em).getUuid());
        nodes.syncAll();
        SyncTestNodes.edit(nodes.server(), em -> modify(found(em, uuid), 1));
        nodes.syncAll();
        nodes.assertConverged();
    }

    @Test
    void aSoftDeleteReachesEveryNodeAndALaterEditDoesNotBringItBack() {
        SyncEngine a = nodes.client(0);
        SyncEngine b = nodes.client(1);
        String uuid = SyncTestNodes.write(a, em -> create(em).getUuid());
        nodes.syncAll();
        SyncTestNodes.edit(b, em -> found(em, uuid).setDeleted(true));
        SyncTestNodes.edit(a, em -> modify(found(em, uuid), 2));
        nodes.sync(b);
        nodes.syncAll();
        nodes.assertConverged();
        for (SyncEngine n : List.of(nodes.server(), a, b)) {
            assertTrue(find(n, uuid).isDeleted(), "a deleted entity came back");
        }
    }

    /**
     * A edits, then B edits the same attribute later, before either synchronized. What
     * every node ends with is what the declared strategy promises: the server's (A's,
     * which reached it first) under {@code server_wins}, the later edit (B's) under
     * {@code timestamp_wins}, and an open conflict for a person under {@code manual}. A
     * declaration that says {@code default} is held to the server's default,
     * {@code server_wins}.
     */
    @Test
    void concurrentEditsAreResolvedWithTheDeclaredStrategy() throws InterruptedException {
        SyncEngine a = nodes.client(0);
        SyncEngine b = nodes.client(1);
        String uuid = SyncTestNodes.write(a, em -> create(em).getUuid());
        nodes.syncAll();
        SyncTestNodes.edit(a, em -> modify(found(em, uuid), 1));
        String editedOnA = state(a, uuid);
        Thread.sleep(20); // B's edit is the later one, on any clock resolution
        SyncTestNodes.edit(b, em -> modify(found(em, uuid), 2));
        String editedOnB = state(b, uuid);
        assertFalse(editedOnA.equals(editedOnB), "modify(entity, 1) and modify(entity, 2) must give different states");
        nodes.sync(a);
        ProcessResult fromB = nodes.exchange(b);
        assertEquals(1, fromB.conflicts().size(), "the second edit of the same attribute is a conflict");
        Resolution resolution = fromB.conflicts().get(0).resolution();
        ConflictStrategy strategy = info().strategy();
        nodes.syncAll();
        nodes.assertConverged();
        String end = state(nodes.server(), uuid);
        switch (strategy) {
        case SERVER_WINS -> {
            assertEquals(Resolution.SERVER_WINS, resolution);
            assertEquals(editedOnA, end, "server_wins: the version the server had (A's) stays everywhere");
        }
        case TIMESTAMP_WINS -> {
            assertEquals(Resolution.CLIENT_WINS, resolution, "timestamp_wins: B's edit is the later one");
            assertEquals(editedOnB, end, "timestamp_wins: the later edit (B's) is what every node holds");
        }
        case MANUAL -> {
            assertEquals(Resolution.MANUAL_PENDING, resolution);
            assertEquals(editedOnA, end, "manual: the server's version stays until a person decides");
            assertFalse(nodes.server().conflictResolver().openConflicts().isEmpty(), "a manual conflict stays open for a person");
        }
        }
    }

    /** @return the entity's synchronized attributes on a node, as the engine serializes them */
    private String state(SyncEngine node, String uuid) {
        return node.read(em -> node.entities().serialize(found(em, uuid)).toString());
    }

    private EntityTypeInfo info() {
        return nodes.server().entityTypes().stream().filter(t -> t.name().equals(entityType())).findFirst().orElse(null);
    }

    private SyncEntity find(SyncEngine node, String uuid) {
        return node.read(em -> em.find(info().type(), uuid));
    }

    @SuppressWarnings("unchecked")
    private E found(EntityManager em, String uuid) {
        E e = (E) em.find(info().type(), uuid);
        assertNotNull(e, "entity " + uuid + " is missing");
        return e;
    }
}
