package org.trestle.sync.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.testing.SyncTestNodes;

/** Every write through plain JPA lands in the change log, in the same transaction. */
class ChangeCaptureTest {

    private static SyncTestNodes nodes;
    private static SyncEngine client;
    private static String server;

    @BeforeAll
    static void start() {
        nodes = SyncTestNodes.start(1);
        client = nodes.client(0);
        server = nodes.server().self().nodeId();
    }

    @AfterAll
    static void stop() {
        nodes.close();
    }

    private static List<Change> pendingFor(String uuid) {
        return client.syncManager().pendingChanges(server, 10_000).stream().filter(c -> c.entityUuid().equals(uuid)).toList();
    }

    @Test
    void insertUpdateAndSoftDeleteAreCapturedWithUuidAndTimestamps() {
        Instant before = Instant.now().minusMillis(1);
        String uuid = SyncTestNodes.write(client, em -> {
            Site s = new Site();
            s.setCode("C-1");
            s.setName("Yard");
            s.setBudget(new BigDecimal("1250.50"));
            em.persist(s);
            return s.getUuid();
        });
        assertNotNull(uuid, "a uuid is assigned on persist");
        List<Change> changes = pendingFor(uuid);
        assertEquals(1, changes.size());
        Change insert = changes.get(0);
        assertEquals(Operation.INSERT, insert.operation());
        assertEquals("Site", insert.entityType());
        assertEquals("1250.50", insert.data().get("budget").asText(), "decimals travel as strings");
        assertEquals("Yard", insert.data().get("name").asText());
        assertTrue(!insert.updatedAt().isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));

        SyncTestNodes.edit(client, em -> em.find(Site.class, uuid).setName("Yard 2"));
        changes = pendingFor(uuid);
        assertEquals(2, changes.size());
        Change update = changes.get(1);
        assertEquals(Operation.UPDATE, update.operation());
        assertEquals(List.of("name"), update.changed(), "only the edited attribute is named as changed");
        assertEquals("Yard 2", update.data().get("name").asText(), "data is the full state");
        assertTrue(update.seq() > insert.seq());
        assertTrue(!update.updatedAt().isBefore(insert.updatedAt()));

        SyncTestNodes.edit(client, em -> em.find(Site.class, uuid).setDeleted(true));
        changes = pendingFor(uuid);
        assertEquals(Operation.DELETE, changes.get(2).operation());
        assertNull(changes.get(2).data());
    }

    @Test
    void aRolledBackTransactionLeavesNoChange() {
        long before = client.syncManager().pendingCount(server);
        assertThrows(IllegalStateException.class, () -> SyncTestNodes.edit(client, em -> {
            Site s = new Site();
            s.setCode("R-1");
            em.persist(s);
            em.flush();
            throw new IllegalStateException("the user cancelled");
        }));
        assertEquals(before, client.syncManager().pendingCount(server));
    }

    @Test
    void aWriteWithoutChangesIsNotCaptured() {
        String uuid = SyncTestNodes.write(client, em -> {
            Site s = new Site();
            s.setCode("N-1");
            em.persist(s);
            return s.getUuid();
        });
        long before = client.syncManager().pendingCount(server);
        SyncTestNodes.edit(client, em -> em.find(Site.class, uuid).setCode("N-1"));
        assertEquals(before, client.syncManager().pendingCount(server));
    }
}
