package org.trestle.sync.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trestle.sync.api.ChangeError;
import org.trestle.sync.api.ConflictRecord;
import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.Resolution;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.entity.EntityIds;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.packet.PacketException;
import org.trestle.sync.testing.SyncTestNodes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Numbering, acknowledgment, idempotency, batching, deferral and conflicts, per the protocol. */
class ExchangeTest {

    private SyncTestNodes nodes;
    private SyncEngine server;
    private SyncEngine a;
    private SyncEngine b;

    @BeforeEach
    void start() {
        nodes = SyncTestNodes.start(2, EngineSettings.defaults().withBatchSize(5));
        server = nodes.server();
        a = nodes.client(0);
        b = nodes.client(1);
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    private String newSite(SyncEngine node, String code) {
        return SyncTestNodes.write(node, em -> {
            Site s = new Site();
            s.setCode(code);
            s.setName("Site " + code);
            em.persist(s);
            return s.getUuid();
        });
    }

    /** @return the uuids, sorted, of sites made on b and synchronized to every node */
    private List<String> sitesOnEveryNode(int count, String codePrefix) {
        List<String> sites = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sites.add(newSite(b, codePrefix + i));
        }
        nodes.syncAll();
        Collections.sort(sites);
        return sites;
    }

    private String serverId() {
        return server.self().nodeId();
    }

    @Test
    void packetsAreNumberedAndCarryUnacknowledgedChangesUntilAcknowledged() {
        newSite(a, "P-1");
        Packet first = a.syncManager().buildPacket(serverId());
        Packet second = a.syncManager().buildPacket(serverId());
        assertEquals(first.packetNo() + 1, second.packetNo());
        assertEquals(1, first.changes().size());
        assertEquals(first.changes(), second.changes(), "an unacknowledged change is carried again");
        server.syncManager().processPacket(second);
        Packet answer = server.syncManager().buildPacket(a.self().nodeId());
        assertEquals(second.packetNo(), answer.ack());
        a.syncManager().processPacket(answer);
        assertEquals(0, a.syncManager().pendingCount(serverId()), "the server's ack drops the change from the queue");
        assertTrue(a.syncManager().buildPacket(serverId()).changes().isEmpty());
    }

    /** @return a node's count of the packets sent to it, as the server's database holds it */
    private long sentPacketNo(String nodeId) {
        return SyncTestNodes.write(server, em -> {
            try (var ps = em.unwrap(Connection.class)
                    .prepareStatement("SELECT SENT_PACKET_NO FROM SYNC_NODES WHERE NODE_ID = ?")) {
                ps.setString(1, nodeId);
                try (var rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    return rs.getLong(1);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * A node's packets are numbered from its row as the database holds it: a cache holding
     * the row behind the database (a commit whose merge into the cache was lost, as under
     * load when the cache drops rows and reads them again) numbers no packet twice.
     */
    @Test
    void packetNumbersComeFromTheDatabaseEvenWhenTheCacheIsBehindIt() {
        String aId = a.self().nodeId();
        newSite(b, "C-1");
        nodes.syncAll();
        long before = sentPacketNo(aId);
        // behind the cache's back: the database records one more packet to a
        SyncTestNodes.write(server, em -> {
            var c = em.unwrap(Connection.class);
            try (var up = c.prepareStatement("UPDATE SYNC_NODES SET SENT_PACKET_NO = ? WHERE NODE_ID = ?");
                    var in = c.prepareStatement("INSERT INTO SYNC_PACKETS (PACKET_KEY, CHANGE_COUNT, CREATED_AT, "
                            + "MAX_SEQ, PACKET_NO, TARGET_NODE) VALUES (?, 0, CURRENT_TIMESTAMP, 0, ?, ?)")) {
                up.setLong(1, before + 1);
                up.setString(2, aId);
                assertEquals(1, up.executeUpdate());
                in.setString(1, aId + "/" + (before + 1));
                in.setLong(2, before + 1);
                in.setString(3, aId);
                in.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        String site = newSite(b, "C-2");
        nodes.sync(b);
        nodes.sync(a);
        assertNotNull(a.read(em -> em.find(Site.class, site)), "a's exchange went on and brought the new site");
        assertTrue(sentPacketNo(aId) > before + 1, "numbered on from the database's count");
        assertEquals(0, server.syncManager().pendingCount(aId));
    }

    /**
     * Whether a packet was taken already is judged from the sender's row as the database
     * holds it: a packet the database counts as received (a commit the cache did not see)
     * is not applied again, however far behind the cache is.
     */
    @Test
    void aPacketTheDatabaseCountsAsReceivedIsNotAppliedAgainWhenTheCacheIsBehindIt() {
        String aId = a.self().nodeId();
        newSite(a, "R-0");
        nodes.syncAll();
        newSite(a, "R-1");
        Packet p = a.syncManager().buildPacket(serverId());
        assertEquals(1, p.changes().size());
        // behind the cache's back: the database records that packet as received from a
        SyncTestNodes.write(server, em -> {
            try (var up = em.unwrap(Connection.class)
                    .prepareStatement("UPDATE SYNC_NODES SET RECEIVED_PACKET_NO = ? WHERE NODE_ID = ?")) {
                up.setLong(1, p.packetNo());
                up.setString(2, aId);
                assertEquals(1, up.executeUpdate());
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        ProcessResult result = server.syncManager().processPacket(p);
        assertEquals(0, result.processed(), "taken already, as the database says");
        assertEquals(1, result.skipped());
    }

    @Test
    void aDuplicateOrStalePacketChangesNothingButIsAnswered() {
        String uuid = newSite(a, "D-1");
        Packet p = a.syncManager().buildPacket(serverId());
        ProcessResult once = server.syncManager().processPacket(p);
        assertEquals(1, once.processed());
        ProcessResult again = server.syncManager().processPacket(p);
        assertEquals(0, again.processed());
        assertEquals(1, again.skipped());
        assertNotNull(server.read(em -> em.find(Site.class, uuid)));
        assertEquals(1L, server.read(em -> em.createQuery("select count(s) from Site s", Long.class).getSingleResult()));
    }

    @Test
    void aReSentChangeInANewPacketIsNotAppliedTwice() {
        String uuid = newSite(a, "R-1");
        server.syncManager().processPacket(a.syncManager().buildPacket(serverId())); // the answer is lost
        SyncTestNodes.edit(server, em -> em.find(Site.class, uuid).setName("Changed on the server"));
        ProcessResult retry = server.syncManager().processPacket(a.syncManager().buildPacket(serverId())); // same change, new packet
        assertEquals(1, retry.skipped(), "seq at or below the highest applied is skipped");
        assertEquals("Changed on the server", server.read(em -> em.find(Site.class, uuid).getName()));
    }

    @Test
    void batchesAreLimitedAndHasMoreSaysSo() {
        for (int i = 0; i < 12; i++) {
            newSite(server, "B-" + i);
        }
        Packet p = server.syncManager().buildPacket(a.self().nodeId());
        assertEquals(5, p.changes().size());
        assertTrue(p.hasMore());
        nodes.sync(a);
        assertEquals(12L, a.read(em -> em.createQuery("select count(s) from Site s", Long.class).getSingleResult()));
    }

    /**
     * Which entities of a packet exist is found with one range scan when it is narrow; a
     * packet spread over many stored entities falls back to a lookup per change. Either
     * way every change lands as an insert or an update of the right entity.
     */
    @Test
    void packetsMixingNewAndStoredEntitiesUpdateTheStoredAndCreateTheNew() {
        List<String> stored = sitesOnEveryNode(120, "S-");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        // narrow: ten stored neighbours and ten new uuids between them
        List<String> neighbours = stored.subList(40, 50);
        // (identities made one after another differ in their first half: a new one that
        // shares a neighbour's first half and ends high sorts right after that neighbour)
        List<String> fresh = new ArrayList<>();
        for (int k = 0; fresh.size() < 10; k++) {
            String n = neighbours.get(k % 9);
            String u = n.substring(0, 24) + String.format("fffffffff%03x", k);
            if (u.compareTo(n) > 0 && u.compareTo(neighbours.get(9)) < 0 && !stored.contains(u)) {
                fresh.add(u);
            }
        }
        // wide: every twelfth stored entity, spread over a table that holds more than the scan reads
        List<String> spread = new ArrayList<>();
        for (int i = 0; i < stored.size(); i += 12) {
            spread.add(stored.get(i));
        }
        List<String> freshWide = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            freshWide.add(UUID.randomUUID().toString());
        }
        long seq = 1_000_000;
        long packetNo = a.syncManager().node(serverId()).orElseThrow().sentPacketNo();
        for (List<List<String>> round : List.of(List.of(neighbours, fresh), List.of(spread, freshWide))) {
            List<String> order = new ArrayList<>(round.get(0));
            order.addAll(round.get(1));
            Collections.shuffle(order, new Random(seq)); // updates and inserts interleaved
            List<Change> changes = new ArrayList<>();
            for (String u : order) {
                if (round.get(0).contains(u)) {
                    ObjectNode state = server.entities().serialize(server.read(em -> em.find(Site.class, u))).put("name", "Renamed " + u);
                    changes.add(new Change(++seq, "Site", u, Operation.UPDATE, now, state, List.of("name"), null, null));
                } else {
                    changes.add(new Change(++seq, "Site", u, Operation.INSERT, now, JsonNodeFactory.instance.objectNode()
                            .put("code", "N-" + u.substring(0, 8)).put("name", "New " + u).put("floors", 1), null, null,
                            null));
                }
            }
            ProcessResult r = server.syncManager().processPacket(new Packet(1, "1.0.0", a.self().nodeId(), serverId(), ++packetNo, 0,
                    now, false, changes));
            assertEquals(changes.size(), r.processed(), r::toString);
            assertEquals(List.of(), r.errors());
            for (String u : round.get(0)) {
                assertEquals("Renamed " + u, server.read(em -> em.find(Site.class, u).getName()), "updated in place");
            }
            for (String u : round.get(1)) {
                assertEquals("New " + u, server.read(em -> em.find(Site.class, u).getName()), "created");
            }
        }
        assertEquals(140L, server.read(em -> em.createQuery("select count(s) from Site s", Long.class).getSingleResult()),
                "120 stored and 20 created, none twice");
    }

    /**
     * The sites that a packet's tasks refer to are read with one range scan when they lie
     * close together, and one at a time when they are spread out. Either way each task
     * refers to its own site, and a site the same packet changed before keeps that change.
     */
    @Test
    void tasksOfAPacketReferToTheirOwnSitesWhetherTheSitesLieTogetherOrApart() {
        List<String> sites = sitesOnEveryNode(100, "T-");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        long seq = 2_000_000;
        long packetNo = a.syncManager().node(serverId()).orElseThrow().sentPacketNo();
        List<String> together = new ArrayList<>(sites.subList(20, 33)); // twelve neighbours around the 26th
        together.remove(6);
        List<String> apart = new ArrayList<>(); // eight, over a range of 85 sites
        for (int i = 0; i < 96; i += 12) {
            apart.add(sites.get(i));
        }
        Map<String, String> siteOfTask = new LinkedHashMap<>();
        for (List<String> targets : List.of(together, apart)) {
            List<Change> changes = new ArrayList<>();
            // a site between the tasks' sites that no task names, changed first in the packet
            String renamed = sites.get(targets == together ? 26 : 5);
            ObjectNode state = server.entities().serialize(server.read(em -> em.find(Site.class, renamed))).put("name", "Renamed first");
            changes.add(new Change(++seq, "Site", renamed, Operation.UPDATE, now, state, List.of("name"), null, null));
            for (int i = targets.size() - 1; i >= 0; i--) { // tasks not in the order of their sites
                String task = EntityIds.newUuid();
                siteOfTask.put(task, targets.get(i));
                changes.add(new Change(++seq, "Task", task, Operation.INSERT, now, JsonNodeFactory.instance.objectNode()
                        .put("site", targets.get(i)).put("title", "Task for " + targets.get(i)).put("hours", i), null,
                        null, null));
            }
            ProcessResult r = server.syncManager().processPacket(new Packet(1, "1.0.0", a.self().nodeId(), serverId(), ++packetNo, 0,
                    now, false, changes));
            assertEquals(changes.size(), r.processed(), r::toString);
            assertEquals(List.of(), r.errors());
            assertEquals("Renamed first", server.read(em -> em.find(Site.class, renamed).getName()),
                    "the change made earlier in the packet is kept");
        }
        for (Map.Entry<String, String> e : siteOfTask.entrySet()) {
            assertEquals(e.getValue(), server.read(em -> em.find(Task.class, e.getKey()).getSite().getUuid()),
                    "each task refers to its own site");
        }
        assertEquals(20, siteOfTask.size());
    }

    /** The initial load is read a page at a time: a new node still receives every live entity once. */
    @Test
    void aNewNodeReceivesEveryLiveEntityOverSeveralPagesOfTheInitialLoad() {
        int count = 2_345;
        SyncTestNodes.write(server, em -> {
            for (int i = 0; i < count; i++) {
                Site s = new Site();
                s.setCode("L-" + i);
                s.setName("Loaded " + i);
                s.setDeleted(i % 100 == 7); // a deleted entity is not part of a node's initial load
                em.persist(s);
            }
            return null;
        });
        SyncEngine late = nodes.addClient("late");
        nodes.sync(late);
        long live = count - count / 100 - (count % 100 > 7 ? 1 : 0);
        assertEquals(live, (long) late.read(em -> em.createQuery("select count(s) from Site s", Long.class)
                .getSingleResult()));
        assertEquals(live, (long) late.read(em -> em.createQuery("select count(distinct s.code) from Site s", Long.class)
                .getSingleResult()), "none twice");
    }

    @Test
    void aChildArrivingBeforeItsParentWaitsAndIsAppliedWhenTheParentArrives() {
        String site = UUID.randomUUID().toString();
        String task = UUID.randomUUID().toString();
        ObjectNode taskData = JsonNodeFactory.instance.objectNode().put("site", site).put("title", "Pour slab").put("hours", 8);
        ObjectNode siteData = JsonNodeFactory.instance.objectNode().put("code", "O-1").put("name", "Late parent")
                .put("budget", "10.00").put("floors", 2).put("status", "ACTIVE").putNull("startDate");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String aId = a.self().nodeId();
        Packet childFirst = new Packet(1, "1.0.0", aId, serverId(), 1, 0, now, false,
                List.of(new Change(1, "Task", task, Operation.INSERT, now, taskData, null, null, null)));
        ProcessResult r1 = server.syncManager().processPacket(childFirst);
        assertEquals(0, r1.errors().size(), "a missing parent is not an error");
        assertEquals(1L, server.administration().counts().deferred());
        assertNull(server.read(em -> em.find(Task.class, task)));
        Packet parent = new Packet(1, "1.0.0", aId, serverId(), 2, 0, now, false,
                List.of(new Change(2, "Site", site, Operation.INSERT, now, siteData, null, null, null)));
        server.syncManager().processPacket(parent);
        assertEquals(0L, server.administration().counts().deferred());
        assertEquals(site, server.read(em -> em.find(Task.class, task).getSite().getUuid()));
    }

    @Test
    void aDeleteOfAnUnknownEntityIsRememberedSoALateInsertCannotBringItBack() {
        String uuid = UUID.randomUUID().toString();
        Instant now = Instant.now();
        String aId = a.self().nodeId();
        server.syncManager().processPacket(new Packet(1, "1.0.0", aId, serverId(), 1, 0, now, false,
                List.of(new Change(1, "Site", uuid, Operation.DELETE, now, null, null, null, null))));
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("code", "Z").put("floors", 1);
        ProcessResult late = server.syncManager().processPacket(new Packet(1, "1.0.0", aId, serverId(), 2, 0, now, false,
                List.of(new Change(2, "Site", uuid, Operation.INSERT, now, data, null, null, null))));
        assertEquals(1, late.skipped());
        assertNull(server.read(em -> em.find(Site.class, uuid)));
    }

    @Test
    void badChangesAreReportedAndKeptWithoutStoppingTheOthers() {
        Instant now = Instant.now();
        String good = UUID.randomUUID().toString();
        ObjectNode ok = JsonNodeFactory.instance.objectNode().put("code", "G").put("floors", 1);
        ObjectNode unknownAttribute = JsonNodeFactory.instance.objectNode().put("code", "U").put("colour", "red");
        ObjectNode badValue = JsonNodeFactory.instance.objectNode().put("code", "V").put("budget", "lots");
        ProcessResult r = server.syncManager().processPacket(new Packet(1, "1.0.0", a.self().nodeId(), serverId(), 1, 0, now, false, List.of(
                new Change(1, "Crane", UUID.randomUUID().toString(), Operation.INSERT, now, ok, null, null, null),
                new Change(2, "Site", UUID.randomUUID().toString(), Operation.INSERT, now, unknownAttribute, null, null, null),
                new Change(3, "Site", UUID.randomUUID().toString(), Operation.INSERT, now, badValue, null, null, null),
                new Change(4, "Site", good, Operation.INSERT, now, ok, null, null, null))));
        assertEquals(1, r.processed());
        assertEquals(List.of("unknown_entity_type", "unknown_attribute", "invalid_value"),
                r.errors().stream().map(e -> e.error()).toList());
        assertNotNull(server.read(em -> em.find(Site.class, good)));
        assertEquals(3, server.administration().deadLetters().size(), "nothing is dropped silently");
    }

    @Test
    void packetsFromUnknownSendersOrAnotherSchemaAreRefusedWhole() {
        Instant now = Instant.now();
        PacketException stranger = assertThrows(PacketException.class, () -> server.syncManager().processPacket(
                new Packet(1, "1.0.0", UUID.randomUUID().toString(), serverId(), 1, 0, now, false, List.of())));
        assertEquals(PacketException.INVALID, stranger.code());
        PacketException schema = assertThrows(PacketException.class, () -> server.syncManager().processPacket(
                new Packet(1, "2.0.0", a.self().nodeId(), serverId(), 1, 0, now, false, List.of())));
        assertEquals(PacketException.SCHEMA_INCOMPATIBLE, schema.code());
        PacketException target = assertThrows(PacketException.class, () -> server.syncManager().processPacket(
                new Packet(1, "1.0.0", a.self().nodeId(), b.self().nodeId(), 1, 0, now, false, List.of())));
        assertEquals(PacketException.INVALID, target.code());
    }

    @Test
    void serverWinsKeepsTheServerVersionAndTheLoserInHistory() {
        String uuid = newSite(a, "SW-1");
        nodes.syncAll();
        SyncTestNodes.edit(a, em -> em.find(Site.class, uuid).setName("From A"));
        SyncTestNodes.edit(b, em -> em.find(Site.class, uuid).setName("From B"));
        nodes.sync(a);
        ProcessResult r = nodes.exchange(b);
        assertEquals(Resolution.SERVER_WINS, r.conflicts().get(0).resolution());
        nodes.syncAll();
        nodes.assertConverged();
        assertEquals("From A", b.read(em -> em.find(Site.class, uuid).getName()));
        List<ConflictRecord> history = server.conflictResolver().history("Site", uuid);
        assertEquals(1, history.size());
        assertEquals("From B", history.get(0).data().get("name").asText());
        assertEquals(b.self().nodeId(), history.get(0).sourceNode());
    }

    @Test
    void editsOfDifferentAttributesAreMergedEverywhere() {
        String uuid = newSite(a, "M-1");
        nodes.syncAll();
        SyncTestNodes.edit(a, em -> em.find(Site.class, uuid).setName("Renamed by A"));
        SyncTestNodes.edit(b, em -> em.find(Site.class, uuid).setBudget(new BigDecimal("99.50")));
        nodes.sync(a);
        ProcessResult r = nodes.exchange(b);
        assertEquals(Resolution.MERGED, r.conflicts().get(0).resolution());
        nodes.syncAll();
        nodes.assertConverged();
        Site merged = server.read(em -> em.find(Site.class, uuid));
        assertEquals("Renamed by A", merged.getName());
        assertEquals(new BigDecimal("99.50"), merged.getBudget());
    }

    @Test
    void serverWinsDecidesOnlyTheAttributesBothChangedAndMergesTheRest() {
        String uuid = newSite(a, "SWM-1");
        nodes.syncAll();
        // the office renames; the laptop renames too and, unrelated, sets the budget
        SyncTestNodes.edit(a, em -> em.find(Site.class, uuid).setName("Office name"));
        SyncTestNodes.edit(b, em -> {
            Site s = em.find(Site.class, uuid);
            s.setName("Laptop name");
            s.setBudget(new BigDecimal("1200.00"));
        });
        nodes.sync(a);
        ProcessResult r = nodes.exchange(b);
        assertEquals(Resolution.SERVER_WINS, r.conflicts().get(0).resolution(), "the name both changed: the server's");
        nodes.syncAll();
        nodes.assertConverged();
        Site kept = b.read(em -> em.find(Site.class, uuid));
        assertEquals("Office name", kept.getName());
        assertEquals(new BigDecimal("1200.00"), kept.getBudget(), "the budget only the laptop changed is merged");
        assertEquals(new BigDecimal("1200.00"), a.read(em -> em.find(Site.class, uuid)).getBudget());
        List<ConflictRecord> history = server.conflictResolver().history("Site", uuid);
        assertEquals("Laptop name", history.get(0).data().get("name").asText(), "the losing name is kept in history");
    }

    @Test
    void timestampWinsKeepsWhatOnlyTheEarlierSideChanged() throws InterruptedException {
        String task = syncedTask("TSM-1");
        SyncTestNodes.edit(a, em -> {
            Task t = em.find(Task.class, task);
            t.setTitle("Earlier title");
            t.setHours(12);
        });
        Thread.sleep(5);
        SyncTestNodes.edit(b, em -> em.find(Task.class, task).setTitle("Later title"));
        nodes.sync(a);
        ProcessResult r = nodes.exchange(b);
        assertEquals(Resolution.CLIENT_WINS, r.conflicts().get(0).resolution());
        nodes.syncAll();
        nodes.assertConverged();
        Task t = a.read(em -> em.find(Task.class, task));
        assertEquals("Later title", t.getTitle());
        assertEquals(12, t.getHours(), "the hours only the earlier side changed are not overwritten");
    }

    @Test
    void anEntityOthersReferToIsNotDeletedAnywhere() {
        String task = syncedTask("DEP-1");
        String site = a.read(em -> em.find(Task.class, task).getSite().getUuid());
        // locally: refused with the reason, nothing changed
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> a.entities().delete("Site", site));
        assertTrue(refused.getMessage().contains("1 task refers to it"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.entities().deletedAlong("Site", site));
        assertFalse(a.read(em -> em.find(Site.class, site).isDeleted()));

        // B deletes the site while it has not yet received A's newer task under it
        String late = SyncTestNodes.write(a, em -> {
            Task t = new Task();
            t.setSite(em.find(Site.class, site));
            t.setTitle("Made while B deleted the site");
            em.persist(t);
            return t.getUuid();
        });
        nodes.sync(a);
        SyncTestNodes.edit(b, em -> em.find(Task.class, task).setDeleted(true));
        b.entities().delete("Site", site); // B holds no live task under it
        ProcessResult r = nodes.exchange(b); // the task's delete and the site's, in one packet
        List<ChangeError> errors = r.errors();
        nodes.syncAll();
        assertTrue(errors.stream().anyMatch(e -> "has_dependents".equals(e.error()) && site.equals(e.entityUuid())),
                String.valueOf(errors));
        nodes.assertConverged();
        assertFalse(b.read(em -> em.find(Site.class, site).isDeleted()), "B has the site back");
        assertFalse(b.read(em -> em.find(Task.class, late).isDeleted()), "and the task under it");
    }

    @Test
    void timestampWinsTakesTheLaterEdit() throws InterruptedException {
        String task = syncedTask("T-1");
        SyncTestNodes.edit(a, em -> em.find(Task.class, task).setTitle("Earlier edit"));
        Thread.sleep(5); // two edits a few milliseconds apart, as a person would make them
        SyncTestNodes.edit(b, em -> em.find(Task.class, task).setTitle("Later edit"));
        nodes.sync(a);
        ProcessResult r = nodes.exchange(b);
        assertEquals(Resolution.CLIENT_WINS, r.conflicts().get(0).resolution());
        nodes.syncAll();
        nodes.assertConverged();
        assertEquals("Later edit", a.read(em -> em.find(Task.class, task).getTitle()));
        assertEquals("Earlier edit", server.conflictResolver().history("Task", task).get(0).data().get("title").asText(),
                "the losing version is kept");
    }

    /** A's packet as a laptop whose clock is {@code skew} off would have built it. */
    private static Packet onSkewedClock(Packet p, Duration skew) {
        List<Change> changes = p.changes().stream()
                .map(c -> new Change(c.seq(), c.entityType(), c.entityUuid(), c.operation(),
                        c.updatedAt().plus(skew), c.data(), c.changed(), c.base(), c.resolves()))
                .toList();
        return new Packet(p.protocol(), p.schemaVersion(), p.sender(), p.target(), p.packetNo(), p.ack(),
                p.createdAt().plus(skew), p.hasMore(), changes);
    }

    private String syncedTask(String code) {
        String site = newSite(a, code);
        String task = SyncTestNodes.write(a, em -> {
            Task t = new Task();
            t.setSite(em.find(Site.class, site));
            t.setTitle("Formwork");
            em.persist(t);
            return t.getUuid();
        });
        nodes.syncAll();
        return task;
    }

    @Test
    void aClockMinutesAheadDoesNotMakeAStaleEditWin() throws InterruptedException {
        String task = syncedTask("SKEW-1");
        SyncTestNodes.edit(a, em -> em.find(Task.class, task).setTitle("Edited first, on a fast clock"));
        Thread.sleep(20);
        SyncTestNodes.edit(b, em -> em.find(Task.class, task).setTitle("Edited later"));
        nodes.exchange(b);
        // A's laptop runs ten minutes ahead and synchronizes after B: by the clock on the
        // wall its edit is older, by its own clock's numbers it looks ten minutes newer
        Packet stale = a.syncManager().buildPacket(serverId());
        ProcessResult r = server.syncManager().processPacket(onSkewedClock(stale, Duration.ofMinutes(10)));
        assertEquals(Resolution.SERVER_WINS, r.conflicts().get(0).resolution(), "the later edit, B's, stays");
        assertEquals("Edited later", server.read(em -> em.find(Task.class, task).getTitle()));
        assertTrue(server.read(em -> em.find(Task.class, task).getUpdatedAt()).isBefore(Instant.now().plusSeconds(1)),
                "no time from the future is stored");
    }

    @Test
    void aClockMinutesBehindStillLetsANewerEditWin() throws InterruptedException {
        String task = syncedTask("SKEW-2");
        SyncTestNodes.edit(b, em -> em.find(Task.class, task).setTitle("Edited first"));
        nodes.exchange(b);
        Thread.sleep(20);
        SyncTestNodes.edit(a, em -> em.find(Task.class, task).setTitle("Edited later, on a slow clock"));
        Packet newer = a.syncManager().buildPacket(serverId());
        ProcessResult r = server.syncManager().processPacket(onSkewedClock(newer, Duration.ofMinutes(-10)));
        assertEquals(Resolution.CLIENT_WINS, r.conflicts().get(0).resolution(), "the later edit, A's, wins");
        assertEquals("Edited later, on a slow clock", server.read(em -> em.find(Task.class, task).getTitle()));
    }

    @Test
    void aManualConflictStaysOpenUntilAPersonResolvesItAndTheResolutionReachesEveryNode() {
        String site = newSite(a, "X-1");
        String memo = SyncTestNodes.write(a, em -> {
            Memo m = new Memo();
            m.setSite(em.find(Site.class, site));
            m.setText("Original");
            em.persist(m);
            return m.getUuid();
        });
        nodes.syncAll();
        SyncTestNodes.edit(a, em -> em.find(Memo.class, memo).setText("A's text"));
        SyncTestNodes.edit(b, em -> em.find(Memo.class, memo).setText("B's text"));
        nodes.sync(a);
        ProcessResult r = nodes.exchange(b);
        assertEquals(Resolution.MANUAL_PENDING, r.conflicts().get(0).resolution());
        nodes.syncAll();
        assertEquals(1, server.conflictResolver().openConflicts().size());
        List<ConflictRecord> onB = b.conflictResolver().openConflicts();
        assertEquals(1, onB.size(), "the client that lost records the open conflict with its version");
        assertEquals("B's text", onB.get(0).data().get("text").asText());

        ObjectNode decided = b.entities().serialize(b.read(em -> em.find(Memo.class, memo)));
        decided.put("text", "Agreed text");
        b.conflictResolver().resolve(onB.get(0).versionId(), decided);
        nodes.syncAll();
        nodes.assertConverged();
        assertEquals("Agreed text", a.read(em -> em.find(Memo.class, memo).getText()));
        assertTrue(server.conflictResolver().openConflicts().isEmpty(), "the resolution closed the server's conflict");
        assertTrue(b.conflictResolver().openConflicts().isEmpty());
        assertFalse(server.conflictResolver().history("Memo", memo).isEmpty());
    }
}
