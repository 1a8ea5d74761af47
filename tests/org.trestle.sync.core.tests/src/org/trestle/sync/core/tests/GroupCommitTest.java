package org.trestle.sync.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.core.internal.NodeEngine;
import org.trestle.sync.testing.SyncTestNodes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Packets that arrive at the server together are applied in shared transactions; each
 * still gets its own outcome, each change is applied once and logged with its own
 * origin, and a change the database refuses costs only itself.
 */
class GroupCommitTest {

    private static final int CLIENTS = 8;
    private static final int ROUNDS = 15;
    private static final int NEW_PER_PACKET = 5;

    @Test
    void packetsArrivingTogetherAreAppliedOnceEachWithTheirOwnOutcome() throws Exception {
        try (SyncTestNodes nodes = SyncTestNodes.start(CLIENTS)) {
            SyncEngine server = nodes.server();
            String serverId = server.self().nodeId();
            String shared = SyncTestNodes.write(nodes.client(0), em -> {
                Site s = new Site();
                s.setCode("SHARED");
                s.setName("Shared site");
                em.persist(s);
                return s.getUuid();
            });
            nodes.syncAll();
            long siteRowsBefore = server.read(em -> em.createQuery("select count(s) from Site s", Long.class)
                    .getSingleResult());

            // a change held for a site that never arrives must not keep the others from sharing transactions
            String first = nodes.client(0).self().nodeId();
            server.syncManager().processPacket(new Packet(1, "1.0.0", first, serverId,
                    server.syncManager().node(first).orElseThrow().receivedPacketNo() + 1, 0, Instant.now(), false,
                    List.of(new Change(999_999, "Task", UUID.randomUUID().toString(), Operation.INSERT, Instant.now(),
                            JsonNodeFactory.instance.objectNode().put("site", UUID.randomUUID().toString())
                                    .put("title", "Waits for a site"), null, null, null))));
            assertEquals(1L, server.administration().counts().deferred(), "one change is held");

            Map<String, String> insertedBy = new ConcurrentHashMap<>();
            CyclicBarrier together = new CyclicBarrier(CLIENTS);
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<List<ProcessResult>>> futures = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int client = i;
                SyncEngine node = nodes.client(i);
                String nodeId = node.self().nodeId();
                long firstPacket = server.syncManager().node(nodeId).orElseThrow().receivedPacketNo() + 1;
                futures.add(pool.submit(() -> {
                    List<ProcessResult> results = new ArrayList<>();
                    for (int r = 0; r < ROUNDS; r++) {
                        Instant now = Instant.now();
                        List<Change> changes = new ArrayList<>();
                        long seq = 1_000_000 + r * 100L;
                        for (int k = 0; k < NEW_PER_PACKET; k++) {
                            String uuid = UUID.randomUUID().toString();
                            boolean refused = client == 3 && r == 7 && k == 2;
                            String code = refused ? "X".repeat(40) : "C" + client + "-" + r + "-" + k;
                            changes.add(new Change(++seq, "Site", uuid, Operation.INSERT, now,
                                    JsonNodeFactory.instance.objectNode().put("code", code).put("name", "Site " + code)
                                            .put("floors", 1), null, null, null));
                            if (!refused) {
                                insertedBy.put(uuid, nodeId);
                            }
                        }
                        if (r % 4 == client % 4) {
                            ObjectNode state = JsonNodeFactory.instance.objectNode().put("code", "SHARED")
                                    .put("name", "Renamed by " + client + " in round " + r).put("floors", r);
                            changes.add(new Change(++seq, "Site", shared, Operation.UPDATE, now, state, List.of("name",
                                    "floors"), null, null));
                        }
                        together.await(30, TimeUnit.SECONDS);
                        results.add(server.syncManager().processPacket(new Packet(1, "1.0.0", nodeId, serverId, firstPacket + r, 0,
                                now, false, changes)));
                    }
                    return results;
                }));
            }
            int processed = 0;
            List<String> errors = new ArrayList<>();
            for (Future<List<ProcessResult>> f : futures) {
                for (ProcessResult r : f.get(2, TimeUnit.MINUTES)) {
                    processed += r.processed();
                    r.errors().forEach(e -> errors.add(e.error()));
                }
            }
            pool.shutdown();

            int updates = 0;
            for (int c = 0; c < CLIENTS; c++) {
                for (int r = 0; r < ROUNDS; r++) {
                    updates += r % 4 == c % 4 ? 1 : 0;
                }
            }
            int sent = CLIENTS * ROUNDS * NEW_PER_PACKET + updates;
            assertEquals(List.of("apply_failed"), errors, "only the change the database refused is an error");
            assertEquals(sent - 1, processed, "every other change was processed");
            assertTrue(((NodeEngine) server).groupedPacketCount() > 0,
                    "packets that arrived together shared transactions, a held change of another entity notwithstanding");

            long sites = server.read(em -> em.createQuery("select count(s) from Site s", Long.class).getSingleResult());
            assertEquals(siteRowsBefore + insertedBy.size(), sites, "each insert applied once, the refused one not at all");
            for (Map.Entry<String, String> e : insertedBy.entrySet()) {
                long logged = server.read(em -> em.createQuery("select count(r) from SyncChangeRow r where "
                        + "r.entityUuid = :u and r.originNode = :o and r.operation = 'INSERT'", Long.class)
                        .setParameter("u", e.getKey()).setParameter("o", e.getValue()).getSingleResult());
                assertEquals(1L, logged, "logged once, with the node it came from");
            }
            for (int c = 0; c < CLIENTS; c++) {
                String nodeId = nodes.client(c).self().nodeId();
                // the first node also sent the packet with the held change
                assertEquals(nodes.client(c).syncManager().node(serverId).orElseThrow().sentPacketNo() + ROUNDS
                        + (c == 0 ? 1 : 0), server.syncManager().node(nodeId).orElseThrow().receivedPacketNo(),
                        "every packet of each node was taken");
            }
            // the packets were written here on the nodes' behalf: each node receives what the others sent
            nodes.syncAll();
            for (int c = 0; c < CLIENTS; c++) {
                String nodeId = nodes.client(c).self().nodeId();
                long fromOthers = insertedBy.values().stream().filter(o -> !o.equals(nodeId)).count();
                assertEquals(siteRowsBefore + fromOthers, nodes.client(c).read(em -> em.createQuery(
                        "select count(s) from Site s", Long.class).getSingleResult()), "node " + c);
            }
        }
    }
}
