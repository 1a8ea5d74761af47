package org.trestle.sync.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trestle.sync.api.ConflictRecord;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.PruneReport;
import org.trestle.sync.api.Resolution;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.testing.SyncTestNodes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** The sync log stays bounded, and nothing a node still needs is pruned. */
class PruningTest {

    private static final Duration NOW = Duration.ZERO;
    private static final Duration LONG = Duration.ofDays(30);

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

    private static long logRows(SyncEngine node) {
        return node.read(em -> em.createQuery("select count(r) from SyncChangeRow r", Long.class).getSingleResult());
    }

    private static long packetRows(SyncEngine node) {
        return node.read(em -> em.createQuery("select count(p) from SyncPacketRow p", Long.class).getSingleResult());
    }

    @Test
    void aLongRunOfEditsLeavesOneRowPerEntityAndANodeAwayThroughItCatchesUp() {
        List<String> sites = List.of(Sites.site(a, "P-1"), Sites.site(a, "P-2"), Sites.site(a, "P-3"));
        nodes.syncAll();
        // b is away while a edits every site forty times, each edit synchronized
        for (int round = 1; round <= 40; round++) {
            int r = round;
            SyncTestNodes.edit(a, em -> sites.forEach(s -> em.find(Site.class, s).setName("Round " + r)));
            nodes.sync(a);
        }
        long before = logRows(server);
        assertTrue(before >= 120, "every edit is in the server's log: " + before);
        PruneReport kept = server.administration().prune(LONG, LONG);
        assertEquals(0, kept.changes(), "nothing younger than the retention goes");

        PruneReport report = server.administration().prune(NOW, LONG);
        assertEquals(before - report.changes(), logRows(server));
        assertTrue(logRows(server) <= sites.size() + 3,
                "what b has not acknowledged is one row per entity, the latest: " + logRows(server));
        assertTrue(report.packets() > 0, "the records of acknowledged packets went: " + report);

        nodes.sync(b);
        nodes.assertConverged();
        for (String s : sites) {
            assertEquals("Round 40", b.read(em -> em.find(Site.class, s)).getName());
        }
        nodes.exchange(a); // each acknowledges the server's last packet
        nodes.exchange(b);
        server.administration().prune(NOW, LONG);
        assertEquals(0, logRows(server), "once every node acknowledged the latest rows, they go too");
        // a change made after pruning still reaches everyone
        SyncTestNodes.edit(b, em -> em.find(Site.class, sites.get(0)).setName("After pruning"));
        nodes.syncAll();
        nodes.assertConverged();
        assertEquals("After pruning", a.read(em -> em.find(Site.class, sites.get(0))).getName());
    }

    @Test
    void aRevokedNodesRecordsArePrunedWithTheOthers() {
        Sites.site(a, "R-1");
        nodes.syncAll();
        Sites.site(a, "R-2");
        nodes.syncAll();
        nodes.exchange(b);
        server.administration().revoke(b.self().nodeId());
        long before = packetRows(server);
        PruneReport report = server.administration().prune(NOW, LONG);
        assertTrue(report.packets() > 0, "packet records went, a revoked node's among them: " + report);
        assertEquals(before - report.packets(), packetRows(server));
        long toRevoked = server.read(em -> em.createQuery("select count(p) from SyncPacketRow p where p.targetNode = :n",
                Long.class).setParameter("n", b.self().nodeId()).getSingleResult());
        assertTrue(toRevoked <= 1, "only the revoked node's newest record stays: " + toRevoked);
    }

    @Test
    void aDeleteANodeHasNotSeenIsKeptForIt() {
        String site = Sites.site(a, "D-1");
        nodes.syncAll();
        SyncTestNodes.edit(a, em -> em.find(Site.class, site).setDeleted(true));
        nodes.sync(a);
        server.administration().prune(NOW, LONG);
        nodes.sync(b);
        assertTrue(b.read(em -> em.find(Site.class, site)).isDeleted(), "b, away during the pruning, still learns of the delete");
    }

    @Test
    void aChangeMadeBeforePrunedChangesIsJudgedAgainstTheWholeEntity() {
        String site = Sites.site(a, "W-1");
        nodes.syncAll();
        // a renames twice; b, away, changes another attribute of the version it had
        SyncTestNodes.edit(a, em -> em.find(Site.class, site).setName("First rename"));
        nodes.sync(a);
        SyncTestNodes.edit(a, em -> em.find(Site.class, site).setName("Second rename"));
        nodes.sync(a);
        server.administration().prune(NOW, LONG);
        SyncTestNodes.edit(b, em -> em.find(Site.class, site).setFloors(7));

        ProcessResult fromB = nodes.exchange(b);
        // which attributes the pruned rename changed is no longer known: no merge, the strategy decides
        assertEquals(1, fromB.conflicts().size());
        assertEquals(Resolution.SERVER_WINS, fromB.conflicts().get(0).resolution());
        nodes.syncAll();
        nodes.assertConverged();
        assertEquals("Second rename", b.read(em -> em.find(Site.class, site)).getName());
        List<ConflictRecord> history = server.conflictResolver().history("Site", site);
        assertTrue(history.stream().anyMatch(h -> h.sourceNode().equals(b.self().nodeId()) && h.data() != null
                && h.data().path("floors").asInt() == 7), "b's losing version is kept: " + history);
    }

    @Test
    void withoutPruningTheSameEditsMerge() {
        String site = Sites.site(a, "W-2");
        nodes.syncAll();
        SyncTestNodes.edit(a, em -> em.find(Site.class, site).setName("First rename"));
        nodes.sync(a);
        SyncTestNodes.edit(a, em -> em.find(Site.class, site).setName("Second rename"));
        nodes.sync(a);
        SyncTestNodes.edit(b, em -> em.find(Site.class, site).setFloors(7));
        ProcessResult fromB = nodes.exchange(b);
        assertEquals(Resolution.MERGED, fromB.conflicts().get(0).resolution());
    }

    @Test
    void aClientKeepsItsChangesUntilTheServerAcknowledgedThem() {
        String site = Sites.site(a, "C-1");
        SyncTestNodes.edit(a, em -> em.find(Site.class, site).setName("Offline edit"));
        long waiting = logRows(a);
        assertNotEquals(0, waiting);
        a.administration().prune(NOW, NOW);
        assertEquals(waiting, logRows(a), "changes the server has not acknowledged stay");
        nodes.sync(a);
        nodes.exchange(a); // acknowledges the server's last answer too
        a.administration().prune(NOW, NOW);
        assertEquals(0, logRows(a));
        assertTrue(packetRows(a) <= 1, "only the newest packet record stays: " + packetRows(a));
        nodes.syncAll();
        assertEquals("Offline edit", b.read(em -> em.find(Site.class, site)).getName());
    }

    @Test
    void changesKeptAsideGoAfterTheirOwnRetention() {
        Instant now = Instant.now();
        server.syncManager().processPacket(new Packet(1, "1.0.0", a.self().nodeId(), server.self().nodeId(), 1, 0, now,
                false, List.of(new Change(1, "Crane", UUID.randomUUID().toString(), Operation.INSERT, now,
                        JsonNodeFactory.instance.objectNode().put("code", "X"), null, null, null))));
        assertEquals(1, server.administration().deadLetters().size());
        assertEquals(0, server.administration().prune(NOW, LONG).errors());
        assertEquals(1, server.administration().deadLetters().size(), "kept for their retention");
        assertEquals(1, server.administration().prune(NOW, NOW).errors());
        assertTrue(server.administration().deadLetters().isEmpty());
    }
}
