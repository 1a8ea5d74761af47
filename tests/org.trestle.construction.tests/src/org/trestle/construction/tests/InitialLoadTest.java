package org.trestle.construction.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.trestle.construction.Estimate;
import org.trestle.construction.EstimateItem;
import org.trestle.construction.Project;
import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncTransport;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.core.internal.NodeEngine;
import org.trestle.sync.testing.SyncTestNodes;

/**
 * A new node's initial load: streamed by the server parent by parent, written by the
 * client's bulk path, with the same derived values as the normal path, resumable after an
 * interruption, and told to listeners once per packet.
 */
class InitialLoadTest {

    private static final EngineSettings SMALL_PACKETS = EngineSettings.defaults().withBatchSize(25);

    /** Projects, estimates and items; the items with random (version 4) uuids, as other tools make them. */
    private static void fill(SyncEngine node, int projects) {
        for (int p = 0; p < projects; p++) {
            int n = p;
            SyncTestNodes.edit(node, em -> {
                Project project = new Project();
                project.setCode("IL-" + n);
                project.setName("Load project " + n);
                em.persist(project);
                for (int e = 0; e < 4; e++) {
                    Estimate estimate = new Estimate();
                    estimate.setProject(project);
                    estimate.setNumber("E-" + n + "-" + e);
                    estimate.setTitle("Estimate " + e);
                    em.persist(estimate);
                    for (int i = 0; i < 6; i++) {
                        EstimateItem item = new EstimateItem();
                        item.setUuid(UUID.randomUUID().toString());
                        item.setEstimate(estimate);
                        item.setPosition(i + 1);
                        item.setDescription("Line " + i);
                        item.setUnit("m");
                        item.setQuantity(new BigDecimal(i + 1 + ".5"));
                        item.setUnitPrice(new BigDecimal("12.40"));
                        em.persist(item);
                    }
                }
            });
        }
    }

    private static Map<String, BigDecimal> totals(SyncEngine node) {
        Map<String, BigDecimal> out = new HashMap<>();
        for (Estimate e : node.read(em -> em.createQuery("select e from Estimate e", Estimate.class).getResultList())) {
            out.put(e.getUuid(), e.getTotal());
        }
        return out;
    }

    private static long count(SyncEngine node, String type) {
        return node.read(em -> em.createQuery("select count(e) from " + type + " e", Long.class).getSingleResult());
    }

    @Test
    void childrenArriveGroupedByParentAndTheBulkPathComputesTheTotalsOfTheNormalPath() throws Exception {
        try (SyncTestNodes fleet = SyncTestNodes.start(1, SMALL_PACKETS)) {
            SyncEngine author = fleet.client(0);
            fill(author, 5);
            fleet.sync(author);

            SyncEngine fresh = fleet.addClient("FRESH");
            Map<String, Long> told = new ConcurrentHashMap<>();
            List<Integer> announcements = new ArrayList<>();
            fresh.syncManager().addBulkListener(counts -> {
                announcements.add(counts.size());
                counts.forEach((type, n) -> told.merge(type, n, Long::sum));
            });
            List<long[]> writing = new java.util.concurrent.CopyOnWriteArrayList<>();
            fresh.syncManager().addLoadWriteListener((written, total) -> {
                throw new IllegalStateException("a listener that fails stops nothing");
            });
            fresh.syncManager().addLoadWriteListener((written, total) -> writing.add(new long[] {written, total}));
            List<Packet> down = new ArrayList<>();
            Map<String, Long> keptMidway = Map.of();
            long heldMidway = -1;
            for (int round = 0; round < 100 && (down.isEmpty() || down.get(down.size() - 1).hasMore()); round++) {
                down.add(recordedExchange(fleet, fresh));
                if (round == 2) {
                    keptMidway = ((NodeEngine) fresh).keptLoad();
                    heldMidway = count(fresh, "Project") + count(fresh, "Estimate") + count(fresh, "EstimateItem");
                }
            }
            assertEquals(75L, keptMidway.values().stream().mapToLong(Long::longValue).sum(),
                    "three packets of 25 kept while the load runs: " + keptMidway);
            assertEquals(0L, heldMidway, "nothing written into the tables before the load is all here");
            assertEquals(Map.of(), ((NodeEngine) fresh).keptLoad(), "all written once the last packet came");
            assertEquals(5L, count(fresh, "Project"));
            assertEquals(20L, count(fresh, "Estimate"));
            assertEquals(120L, count(fresh, "EstimateItem"));
            assertEquals(Map.of("Project", 5L, "Estimate", 20L, "EstimateItem", 120L), told,
                    "listeners are told of every entity the bulk path wrote, by type");
            assertEquals(List.of(3), announcements, "one bulk event for the load, with its three types");
            assertTrue(writing.size() >= 2, "told when the writing starts and ends: " + writing.size());
            assertEquals(List.of(0L, 145L), List.of(writing.get(0)[0], writing.get(0)[1]), "the start, of the whole load");
            long[] last = writing.get(writing.size() - 1);
            assertEquals(List.of(145L, 145L), List.of(last[0], last[1]), "the end: all written");
            for (int i = 1; i < writing.size(); i++) {
                assertTrue(writing.get(i)[0] >= writing.get(i - 1)[0], "the count only grows");
            }

            // the items came parent by parent: each estimate's items in one run, whatever their uuids
            List<String> parents = new ArrayList<>();
            for (Packet p : down) {
                for (Change c : p.changes()) {
                    if (c.entityType().equals("EstimateItem")) {
                        String parent = c.data().get("estimate").asText();
                        if (parents.isEmpty() || !parents.get(parents.size() - 1).equals(parent)) {
                            parents.add(parent);
                        }
                    }
                }
            }
            assertEquals(20, parents.size(), "20 runs of items, one per estimate: " + parents);

            Map<String, BigDecimal> expected = totals(author);
            assertEquals(expected, totals(fleet.server()), "the server's totals, computed the normal way");
            assertEquals(expected, totals(fresh), "the bulk path's totals equal the normal path's");
            assertTrue(expected.values().stream().allMatch(t -> t.signum() > 0), "real totals: " + expected);

            // after the load, the normal way again: an edit reaches the new node and its total follows
            String item = author.read(em -> em.createQuery("select i.uuid from EstimateItem i", String.class)
                    .setMaxResults(1).getSingleResult());
            SyncTestNodes.edit(author, em -> em.find(EstimateItem.class, item).setQuantity(new BigDecimal("100")));
            fleet.sync(author);
            fleet.sync(fresh);
            assertEquals(totals(author), totals(fresh));
        }
    }

    @Test
    void anInterruptedInitialLoadResumesWhereItStopped() throws Exception {
        try (SyncTestNodes fleet = SyncTestNodes.start(1, SMALL_PACKETS)) {
            SyncEngine author = fleet.client(0);
            fill(author, 4);
            fleet.sync(author);
            long all = 4 + 16 + 96;

            NodeInfo node = fleet.server().syncManager().registerNode("RESUMED", "RESUMED", null);
            assertEquals(all, fleet.server().syncManager().pendingCount(node.nodeId()), "the whole load is pending");
            Path dir = Files.createTempDirectory("trestle-resumed");
            var factory = SyncTestNodes.engineFactory();
            long held;
            try (SyncEngine first = factory.open(dir, SMALL_PACKETS)) {
                first.syncManager().initializeClient(node.nodeId(), "RESUMED", fleet.server().self().nodeId());
                fleet.exchange(first);
                fleet.exchange(first);
                fleet.exchange(first);
                held = ((NodeEngine) first).keptLoad().values().stream().mapToLong(Long::longValue).sum();
                // the laptop stops here (closed, as a kill after a commit leaves it)
            }
            assertEquals(75, held, "three packets of 25 were kept");
            // the server learns what the node holds from its next acknowledgement
            try (SyncEngine again = factory.open(dir, SMALL_PACKETS)) {
                assertEquals(75, count(again, "Project") + count(again, "Estimate") + count(again, "EstimateItem"),
                        "what was kept is written when the client opens again");
                assertEquals(Map.of(), ((NodeEngine) again).keptLoad());
                Map<String, Long> told = new ConcurrentHashMap<>();
                again.syncManager().addBulkListener(counts -> counts.forEach((t, n) -> told.merge(t, n, Long::sum)));
                fleet.sync(again);
                assertEquals(all, count(again, "Project") + count(again, "Estimate") + count(again, "EstimateItem"));
                assertEquals(all - held, told.values().stream().mapToLong(Long::longValue).sum(),
                        "the load went on after what the node held; nothing was written twice");
                assertEquals(totals(author), totals(again), "totals as the normal path's");
                assertEquals(0, fleet.server().syncManager().pendingCount(node.nodeId()));
            }
        }
    }

    /** @return the names of the indexes on a table of a node's database */
    private static List<String> indexes(SyncEngine node, String table) {
        return SyncTestNodes.write(node, em -> {
            List<String> names = new ArrayList<>();
            try (var rs = em.unwrap(java.sql.Connection.class).getMetaData().getIndexInfo(null, null, table, false,
                    false)) {
                while (rs.next()) {
                    names.add(rs.getString("INDEX_NAME"));
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            return names;
        });
    }

    @Test
    void onlyTheServerKeepsTheIndexForServingLoadsParentByParent() throws Exception {
        try (SyncTestNodes fleet = SyncTestNodes.start(1, SMALL_PACKETS)) {
            String index = "TL_ESTIMATE_ITEM_ESTIMATE_UUID";
            assertTrue(indexes(fleet.server(), "ESTIMATE_ITEM").contains(index), "the server reads loads with it");
            assertTrue(!indexes(fleet.client(0), "ESTIMATE_ITEM").contains(index),
                    "a client serves no loads: " + indexes(fleet.client(0), "ESTIMATE_ITEM"));

            // a laptop whose database an earlier version gave the index loses it when it opens
            NodeInfo node = fleet.server().syncManager().registerNode("OLDER", "OLDER", null);
            Path dir = Files.createTempDirectory("trestle-older");
            var factory = SyncTestNodes.engineFactory();
            try (SyncEngine older = factory.open(dir, SMALL_PACKETS)) {
                older.syncManager().initializeClient(node.nodeId(), "OLDER", fleet.server().self().nodeId());
                SyncTestNodes.write(older, em -> em.createNativeQuery("CREATE INDEX " + index
                        + " ON ESTIMATE_ITEM (ESTIMATE_UUID, UUID)").executeUpdate());
                assertTrue(indexes(older, "ESTIMATE_ITEM").contains(index));
            }
            try (SyncEngine again = factory.open(dir, SMALL_PACKETS)) {
                assertTrue(!indexes(again, "ESTIMATE_ITEM").contains(index), "dropped when the client opened");
                fill(fleet.client(0), 1);
                fleet.sync(fleet.client(0));
                fleet.sync(again);
                assertEquals(24L, count(again, "EstimateItem"), "and the load is written without it");
            }
        }
    }

    @Test
    void aPageReadAheadGivesWayToWhatChangedSinceItWasRead() throws Exception {
        try (SyncTestNodes fleet = SyncTestNodes.start(1, SMALL_PACKETS)) {
            SyncEngine author = fleet.client(0);
            fill(author, 4);
            fleet.sync(author);
            NodeEngine server = (NodeEngine) fleet.server();

            SyncEngine fresh = fleet.addClient("AHEAD");
            fleet.exchange(fresh);
            // the server reads the next page while the node applies the first
            for (int i = 0; i < 200 && server.loadPagesReadAhead()[0] == 0; i++) {
                Thread.sleep(50);
            }
            assertTrue(server.loadPagesReadAhead()[0] >= 1, "the next page was read ahead");

            // then every item changes, and one is deleted: some of them are in the page read ahead
            List<String> items = author.read(em -> em.createQuery("select i.uuid from EstimateItem i order by i.uuid",
                    String.class).getResultList());
            SyncTestNodes.edit(author, em -> {
                for (String uuid : items) {
                    em.find(EstimateItem.class, uuid).setQuantity(new BigDecimal("7.000"));
                }
            });
            author.entities().delete("EstimateItem", items.get(0));
            fleet.sync(author);
            fleet.sync(fresh);

            assertTrue(server.loadPagesReadAhead()[1] >= 1, "a page read ahead was sent: "
                    + java.util.Arrays.toString(server.loadPagesReadAhead()));
            assertEquals(totals(author), totals(fresh), "the totals follow the changes made after the page was read");
            assertEquals(List.of(new BigDecimal("7.000")), fresh.read(em -> em.createQuery(
                    "select distinct i.quantity from EstimateItem i where i.deleted = false", BigDecimal.class)
                    .getResultList()), "every item has its changed quantity");
            assertEquals(items.size() - 1L, (long) fresh.read(em -> em.createQuery(
                    "select count(i) from EstimateItem i where i.deleted = false", Long.class).getSingleResult()));
        }
    }

    @Test
    void aLoadPacketMeetingAnEntityTheNodeHoldsGoesTheNormalWay() throws Exception {
        try (SyncTestNodes fleet = SyncTestNodes.start(1, SMALL_PACKETS)) {
            SyncEngine author = fleet.client(0);
            fill(author, 2);
            fleet.sync(author);
            String held = author.read(em -> em.createQuery("select p.uuid from Project p order by p.uuid", String.class)
                    .setMaxResults(1).getSingleResult());

            // the new node already holds one of the projects the load brings (restored from a
            // copy, say): the bulk insert of its packet is refused, and the packet applied the normal way
            SyncEngine fresh = fleet.addClient("HOLDER");
            SyncTestNodes.edit(fresh, em -> {
                Project p = new Project();
                p.setUuid(held);
                p.setCode("IL-HELD");
                p.setName("Held before the load");
                em.persist(p);
            });
            Map<String, Long> told = new ConcurrentHashMap<>();
            fresh.syncManager().addBulkListener(counts -> counts.forEach((t, n) -> told.merge(t, n, Long::sum)));
            fleet.sync(fresh);

            assertEquals(2L, count(fresh, "Project"), "the held project is there once");
            assertEquals(8L, count(fresh, "Estimate"));
            assertEquals(48L, count(fresh, "EstimateItem"));
            assertEquals(totals(author), totals(fresh));
            assertTrue(told.getOrDefault("Project", 0L) < 2, "the packet with the held project was not written in bulk: "
                    + told);
        }
    }

    @Test
    void aLoadTheDatabaseRefusesInBulkGoesTheNormalWayAndLosesNothing() throws Exception {
        try (SyncTestNodes fleet = SyncTestNodes.start(1, SMALL_PACKETS)) {
            SyncEngine author = fleet.client(0);
            fill(author, 2);
            fleet.sync(author);
            String missing = author.read(em -> em.createQuery("select e.uuid from Estimate e order by e.uuid",
                    String.class).setMaxResults(1).getSingleResult());

            // the answers lose one estimate on the way: six items of the load refer to an
            // entity the node never gets, which the bulk insert's reference check refuses
            SyncEngine fresh = fleet.addClient("GAP");
            SyncTransport losing = packet -> {
                var result = fleet.server().syncManager().processPacket(packet);
                Packet a = fleet.server().syncManager().buildPacket(fresh.self().nodeId());
                Packet lost = new Packet(a.protocol(), a.schemaVersion(), a.sender(), a.target(), a.packetNo(), a.ack(),
                        a.createdAt(), a.hasMore(), a.changes().stream().filter(c -> !c.entityUuid().equals(missing))
                                .toList(), a.types());
                return new SyncTransport.Delivery(org.trestle.sync.api.packet.ExchangeAnswer.of(lost, result), 0, 0);
            };
            for (int round = 0; round < 100 && fresh.syncManager().exchange(losing).again(); round++) {
                // until neither side has more
            }
            assertEquals(Map.of(), ((NodeEngine) fresh).keptLoad(), "nothing stays kept");
            assertEquals(2L, count(fresh, "Project"));
            assertEquals(7L, count(fresh, "Estimate"));
            assertEquals(42L, count(fresh, "EstimateItem"), "the items of the other seven estimates");
            assertEquals(6L, fresh.administration().counts().deferred(),
                    "the six items wait for their estimate, as the normal way holds them");
            Map<String, BigDecimal> expected = new HashMap<>(totals(author));
            expected.remove(missing);
            assertEquals(expected, totals(fresh), "the totals of the estimates that came");

            // the estimate arrives after all, with its next edit (each change carries the whole
            // entity), the normal way as the tables hold rows now: its items follow
            SyncTestNodes.edit(author, em -> em.find(Estimate.class, missing).setTitle("Came after all"));
            fleet.sync(author);
            fleet.sync(fresh);
            assertEquals(48L, count(fresh, "EstimateItem"));
            assertEquals(0L, fresh.administration().counts().deferred());
            assertEquals(totals(author), totals(fresh));
        }
    }

    /** One exchange as {@link SyncTestNodes#exchange} makes it, keeping the server's answer. */
    private static Packet recordedExchange(SyncTestNodes fleet, SyncEngine client) throws Exception {
        Packet[] answer = new Packet[1];
        SyncTransport transport = packet -> {
            var result = fleet.server().syncManager().processPacket(packet);
            answer[0] = fleet.server().syncManager().buildPacket(client.self().nodeId());
            return new SyncTransport.Delivery(org.trestle.sync.api.packet.ExchangeAnswer.of(answer[0], result), 0, 0);
        };
        client.syncManager().exchange(transport);
        return answer[0];
    }
}
