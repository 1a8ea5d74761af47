package org.trestle.sync.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trestle.sync.api.ConflictRecord;
import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.Resolution;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.testing.SyncTestNodes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** What a stale delete, a forged resolution or a clock far in the future must not do. */
class DataSafetyTest {

    private SyncTestNodes nodes;
    private SyncEngine server;
    private SyncEngine a;
    private SyncEngine b;

    @BeforeEach
    void start() {
        nodes = SyncTestNodes.start(2);
        server = nodes.server();
        a = nodes.client(0);
        b = nodes.client(1);
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    private <T extends SyncEntity> T find(SyncEngine node, Class<T> type, String uuid) {
        return node.read(em -> em.find(type, uuid));
    }

    /** Timestamps have milliseconds: an edit made now must come after one made a moment ago. */
    private static void laterThan(Instant t) {
        while (!Instant.now().isAfter(t.plusMillis(1))) {
            Thread.onSpinWait();
        }
    }

    private static void delete(SyncEngine node, Class<? extends SyncEntity> type, String uuid) {
        SyncTestNodes.edit(node, em -> em.find(type, uuid).setDeleted(true));
    }

    @Test
    void aStaleDeleteDoesNotWipeANewerEditUnderServerWins() {
        String site = Sites.site(a, "S-1");
        nodes.syncAll();
        SyncTestNodes.edit(b, em -> em.find(Site.class, site).setName("Edited by b"));
        nodes.sync(b);
        delete(a, Site.class, site); // a has not seen b's edit

        ProcessResult fromA = nodes.exchange(a);
        assertEquals(1, fromA.conflicts().size(), "the delete of an edited version is a conflict");
        assertEquals(Resolution.SERVER_WINS, fromA.conflicts().get(0).resolution());
        nodes.syncAll();
        nodes.assertConverged();
        for (SyncEngine n : List.of(server, a, b)) {
            Site s = find(n, Site.class, site);
            assertFalse(s.isDeleted(), "the edited site lives on every node");
            assertEquals("Edited by b", s.getName());
        }
        List<ConflictRecord> history = server.conflictResolver().history("Site", site);
        assertTrue(history.stream().anyMatch(h -> h.data() == null && h.resolution() == Resolution.SERVER_WINS
                && h.sourceNode().equals(a.self().nodeId())), "the losing delete is kept in the history: " + history);
    }

    @Test
    void aStaleDeleteUnderManualIsAnOpenConflictAndAPersonMayChooseTheDelete() {
        String site = Sites.site(a, "S-2");
        String memo = SyncTestNodes.write(a, em -> {
            Memo m = new Memo();
            m.setSite(em.find(Site.class, site));
            m.setText("first");
            em.persist(m);
            return m.getUuid();
        });
        nodes.syncAll();
        SyncTestNodes.edit(b, em -> em.find(Memo.class, memo).setText("second, by b"));
        nodes.sync(b);
        delete(a, Memo.class, memo);

        ProcessResult fromA = nodes.exchange(a);
        assertEquals(Resolution.MANUAL_PENDING, fromA.conflicts().get(0).resolution());
        nodes.syncAll();
        assertFalse(find(server, Memo.class, memo).isDeleted(), "the server keeps its version until a person decides");
        assertFalse(find(a, Memo.class, memo).isDeleted(), "the deleting node gets the edited version back meanwhile");
        List<ConflictRecord> open = a.conflictResolver().openConflicts();
        assertEquals(1, open.size(), "the conflict waits for a person on the node that deleted");
        assertEquals(1, server.conflictResolver().openConflicts().size());
        assertNull(server.conflictResolver().openConflicts().get(0).data(), "the open conflict's version is a delete");

        a.conflictResolver().resolve(open.get(0).versionId(), null); // the person keeps the delete
        nodes.syncAll();
        nodes.assertConverged();
        for (SyncEngine n : List.of(server, a, b)) {
            assertTrue(find(n, Memo.class, memo).isDeleted(), "the chosen delete reaches every node");
        }
        assertTrue(server.conflictResolver().openConflicts().isEmpty(), "the resolution closed the conflict");
    }

    @Test
    void aLaterDeleteWinsUnderTimestampWinsAndKeepsTheEditInTheHistory() {
        String site = Sites.site(a, "S-3");
        String task = SyncTestNodes.write(a, em -> {
            Task t = new Task();
            t.setSite(em.find(Site.class, site));
            t.setTitle("Dig");
            em.persist(t);
            return t.getUuid();
        });
        nodes.syncAll();
        SyncTestNodes.edit(b, em -> em.find(Task.class, task).setTitle("Dig deeper"));
        nodes.sync(b);
        laterThan(find(server, Task.class, task).getUpdatedAt());
        delete(a, Task.class, task); // later than b's edit

        ProcessResult fromA = nodes.exchange(a);
        assertEquals(Resolution.CLIENT_WINS, fromA.conflicts().get(0).resolution());
        nodes.syncAll();
        nodes.assertConverged();
        assertTrue(find(b, Task.class, task).isDeleted(), "the later delete reaches the editor too");
        assertTrue(server.conflictResolver().history("Task", task).stream()
                .anyMatch(h -> h.data() != null && "Dig deeper".equals(h.data().path("title").asText())),
                "the edit that lost is kept in the history");
    }

    @Test
    void anAdministratorRestoresADeletedEntityOnEveryNode() {
        String site = Sites.site(a, "S-4");
        nodes.syncAll();
        SyncTestNodes.edit(b, em -> em.find(Site.class, site).setName("Before the delete"));
        nodes.syncAll();
        delete(a, Site.class, site);
        nodes.syncAll();
        for (SyncEngine n : List.of(server, a, b)) {
            assertTrue(find(n, Site.class, site).isDeleted());
        }

        var restored = server.conflictResolver().restore("Site", site, null);
        assertEquals("Before the delete", restored.path("name").asText(), "restored with its state when deleted");
        nodes.syncAll();
        nodes.assertConverged();
        for (SyncEngine n : List.of(server, a, b)) {
            Site s = find(n, Site.class, site);
            assertFalse(s.isDeleted(), "the restore reaches every node, the deleting one included");
            assertEquals("Before the delete", s.getName());
        }
        assertThrows(NoSuchElementException.class, () -> server.conflictResolver().restore("Site", site, null),
                "a live entity is not restored");
        assertThrows(IllegalStateException.class, () -> a.conflictResolver().restore("Site", site, null),
                "a client does not restore: the server does, for every node");
    }

    @Test
    void aResolutionClosesOnlyAConflictOfItsOwnEntityAndNode() {
        String site = Sites.site(a, "S-5");
        String memo = SyncTestNodes.write(a, em -> {
            Memo m = new Memo();
            m.setSite(em.find(Site.class, site));
            m.setText("one");
            em.persist(m);
            return m.getUuid();
        });
        nodes.syncAll();
        SyncTestNodes.edit(a, em -> em.find(Memo.class, memo).setText("a's"));
        SyncTestNodes.edit(b, em -> em.find(Memo.class, memo).setText("b's"));
        nodes.sync(a);
        nodes.exchange(b);
        String versionId = server.conflictResolver().openConflicts().get(0).versionId();

        // b names the conflict's version id on a change of another entity: nothing closes
        String other = Sites.site(b, "S-6");
        Packet up = b.syncManager().buildPacket(server.self().nodeId());
        Change forged = up.changes().stream().filter(c -> c.entityUuid().equals(other)).findFirst().orElseThrow();
        Packet withResolves = new Packet(up.protocol(), up.schemaVersion(), up.sender(), up.target(), up.packetNo(), up.ack(),
                up.createdAt(), up.hasMore(), up.changes().stream().map(c -> c == forged ? new Change(c.seq(), c.entityType(),
                        c.entityUuid(), c.operation(), c.updatedAt(), c.data(), c.changed(), c.base(), versionId) : c).toList());
        server.syncManager().processPacket(withResolves);
        assertEquals(1, server.conflictResolver().openConflicts().size(), "a version id alone closes no conflict");
        assertFalse(find(server, Site.class, other).isDeleted(), "the change itself was applied");
    }

    @Test
    void aTimeFarInTheFutureDoesNotWinLaterTimestampConflicts() {
        String site = Sites.site(a, "S-7");
        String task = SyncTestNodes.write(a, em -> {
            Task t = new Task();
            t.setSite(em.find(Site.class, site));
            t.setTitle("Start");
            em.persist(t);
            return t.getUuid();
        });
        nodes.syncAll();
        SyncTestNodes.edit(a, em -> em.find(Task.class, task).setTitle("From the year 9999"));
        Packet up = a.syncManager().buildPacket(server.self().nodeId());
        Instant future = Instant.parse("9999-01-01T00:00:00Z");
        Packet forged = new Packet(up.protocol(), up.schemaVersion(), up.sender(), up.target(), up.packetNo(), up.ack(),
                up.createdAt(), up.hasMore(), up.changes().stream().map(c -> new Change(c.seq(), c.entityType(),
                        c.entityUuid(), c.operation(), future, c.data(), c.changed(), c.base(), c.resolves())).toList());
        server.syncManager().processPacket(forged);
        a.syncManager().processPacket(server.syncManager().buildPacket(a.self().nodeId()));
        assertTrue(find(server, Task.class, task).getUpdatedAt().isBefore(Instant.parse("2100-01-01T00:00:00Z")),
                "the server keeps no time ahead of its clock");

        laterThan(find(server, Task.class, task).getUpdatedAt());
        SyncTestNodes.edit(b, em -> em.find(Task.class, task).setTitle("A later edit")); // b has not seen a's
        ProcessResult fromB = nodes.exchange(b);
        assertEquals(Resolution.CLIENT_WINS, fromB.conflicts().get(0).resolution(), "the later edit wins");
        nodes.syncAll();
        nodes.assertConverged();
        assertEquals("A later edit", find(a, Task.class, task).getTitle());
    }

    @Test
    void heldChangesAreBoundedPerNodeAndThoseOfARevokedNodeAreDropped() {
        try (SyncTestNodes small = SyncTestNodes.start(2, EngineSettings.defaults().withMaxHeldPerNode(3))) {
            SyncEngine srv = small.server();
            String serverId = srv.self().nodeId();
            String c0 = small.client(0).self().nodeId();
            String c1 = small.client(1).self().nodeId();
            String site = java.util.UUID.randomUUID().toString(); // known to nobody yet
            List<Change> tasks = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
                tasks.add(new Change(100 + i, "Task", java.util.UUID.randomUUID().toString(), Operation.INSERT, Instant.now(),
                        JsonNodeFactory.instance.objectNode().put("site", site).put("title", "Waits " + i), null, null, null));
            }
            ProcessResult held = srv.syncManager().processPacket(new Packet(1, "1.0.0", c0, serverId,
                    srv.syncManager().node(c0).orElseThrow().receivedPacketNo() + 1, 0, Instant.now(), false, tasks));
            assertEquals(3L, srv.administration().counts().deferred(), "three changes wait for the site");
            assertEquals(List.of("too_many_held", "too_many_held"), held.errors().stream().map(e -> e.error()).toList(),
                    "the rest are refused, not held without end");

            srv.administration().revoke(c0);
            assertEquals(0L, srv.administration().counts().deferred(), "a revoked node's held changes are dropped");
            srv.syncManager().processPacket(new Packet(1, "1.0.0", c1, serverId,
                    srv.syncManager().node(c1).orElseThrow().receivedPacketNo() + 1, 0, Instant.now(), false,
                    List.of(new Change(1, "Site", site, Operation.INSERT, Instant.now(), JsonNodeFactory.instance.objectNode()
                            .put("code", "ARRIVES").put("name", "The awaited site").put("floors", 1), null, null, null))));
            assertFalse(find(srv, Site.class, site).isDeleted(), "the site arrived");
            assertEquals(0L, srv.read(em -> em.createQuery("select count(t) from Task t", Long.class).getSingleResult()),
                    "nothing the revoked node sent was applied when the site came");
        }
    }
}
