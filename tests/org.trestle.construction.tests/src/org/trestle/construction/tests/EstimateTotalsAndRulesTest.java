package org.trestle.construction.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.trestle.construction.Estimate;
import org.trestle.construction.EstimateItem;
import org.trestle.construction.Project;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.testing.SyncTestNodes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Totals follow items on every node; the domain's rules hold for local and incoming data. */
class EstimateTotalsAndRulesTest {

    private static SyncTestNodes nodes;
    private static SyncEngine a;
    private static SyncEngine b;

    @BeforeAll
    static void start() {
        nodes = SyncTestNodes.start(2);
        a = nodes.client(0);
        b = nodes.client(1);
    }

    @AfterAll
    static void stop() {
        nodes.close();
    }

    private static String item(SyncEngine node, String estimate, String qty, String price) {
        return SyncTestNodes.write(node, em -> {
            EstimateItem i = new EstimateItem();
            i.setEstimate(em.find(Estimate.class, estimate));
            i.setDescription("Line");
            i.setUnit("m2");
            i.setQuantity(new BigDecimal(qty));
            i.setUnitPrice(new BigDecimal(price));
            em.persist(i);
            return i.getUuid();
        });
    }

    private static BigDecimal total(SyncEngine node, String estimate) {
        return node.read(em -> em.find(Estimate.class, estimate).getTotal());
    }

    @Test
    void theTotalFollowsItemsLocallyAndOnEveryNodeWithoutBeingAChangeOfItsOwn() {
        String estimate = SyncTestNodes.write(a, em -> DomainContractTest.estimate(em).getUuid());
        assertEquals(new BigDecimal("0.00"), total(a, estimate));
        item(a, estimate, "10.000", "12.50");
        String second = item(a, estimate, "2.500", "100.00");
        assertEquals(new BigDecimal("375.00"), total(a, estimate));
        nodes.syncAll();
        assertEquals(new BigDecimal("375.00"), total(nodes.server(), estimate), "recomputed on the server");
        assertEquals(new BigDecimal("375.00"), total(b, estimate), "recomputed on the other client");

        long before = b.syncManager().pendingCount(nodes.server().self().nodeId());
        SyncTestNodes.edit(b, em -> em.find(EstimateItem.class, second).setDeleted(true));
        assertEquals(new BigDecimal("125.00"), total(b, estimate), "a deleted item no longer counts");
        List<Change> pending = b.syncManager().pendingChanges(nodes.server().self().nodeId(), 100);
        assertEquals(before + 1, pending.size(), "only the item's delete is sent, not the recomputed total");
        assertEquals("EstimateItem", pending.get(pending.size() - 1).entityType());
        nodes.syncAll();
        assertEquals(new BigDecimal("125.00"), total(a, estimate));
        nodes.assertConverged();
    }

    @Test
    void anItemArrivingForAnEstimateHeldHereIsNoLocalChangeOfTheEstimate() {
        String estimate = SyncTestNodes.write(a, em -> DomainContractTest.estimate(em).getUuid());
        nodes.syncAll();
        String server = nodes.server().self().nodeId();
        long before = b.syncManager().pendingCount(server);
        item(a, estimate, "4.000", "25.00");
        nodes.syncAll();
        assertEquals(new BigDecimal("100.00"), total(b, estimate), "the item arrived and the total follows it");
        assertEquals(before, b.syncManager().pendingCount(server),
                "the estimate's item list grew on b, which is not an edit of the estimate to send back");
        long echoes = b.read(em -> em.createQuery("select count(r) from SyncChangeRow r where r.originNode = :b "
                + "and r.entityUuid = :e", Long.class).setParameter("b", b.self().nodeId()).setParameter("e", estimate)
                .getSingleResult());
        assertEquals(0L, echoes, "b logged no change of the estimate");
    }

    @Test
    void anIncomingTotalIsIgnored() {
        String estimate = SyncTestNodes.write(a, em -> DomainContractTest.estimate(em).getUuid());
        item(a, estimate, "1.000", "10.00");
        nodes.syncAll();
        ObjectNode forged = nodes.server().entities().serialize(nodes.server().read(em -> em.find(Estimate.class, estimate)));
        forged.put("total", "999999.99").put("title", "Forged total");
        deliverFromServer(b, new Change(nextServerSeq(), "Estimate", estimate, Operation.UPDATE, Instant.now(), forged,
                null, null, null));
        assertEquals("Forged total", b.read(em -> em.find(Estimate.class, estimate).getTitle()));
        assertEquals(new BigDecimal("10.00"), total(b, estimate));
    }

    @Test
    void invalidIncomingValuesAreChangeErrorsNotCrashes() {
        String project = SyncTestNodes.write(a, em -> DomainContractTest.project(em).getUuid());
        String code = a.read(em -> em.find(Project.class, project).getCode());
        nodes.syncAll();
        ObjectNode duplicateCode = JsonNodeFactory.instance.objectNode().put("code", code).put("name", "Copy")
                .put("status", "PLANNED");
        ObjectNode negativeBudget = JsonNodeFactory.instance.objectNode().put("code", "NEG-1").put("name", "Negative")
                .put("status", "PLANNED").put("budget", "-5.00");
        ObjectNode noName = JsonNodeFactory.instance.objectNode().put("code", "NN-1").put("status", "PLANNED");
        ProcessResult r = nodes.server().syncManager().processPacket(new Packet(1, "1.0.0", a.self().nodeId(),
                nodes.server().self().nodeId(), a.syncManager().node(nodes.server().self().nodeId()).orElseThrow().sentPacketNo() + 1, 0,
                Instant.now(), false, List.of(
                        new Change(1_000_001, "Project", UUID.randomUUID().toString(), Operation.INSERT, Instant.now(),
                                duplicateCode, null, null, null),
                        new Change(1_000_002, "Project", UUID.randomUUID().toString(), Operation.INSERT, Instant.now(),
                                negativeBudget, null, null, null),
                        new Change(1_000_003, "Project", UUID.randomUUID().toString(), Operation.INSERT, Instant.now(),
                                noName, null, null, null))));
        assertEquals(3, r.errors().size(), () -> r.toString());
        assertTrue(r.errors().get(0).message().contains("code: another live project"), r.errors().get(0).message());
        assertTrue(r.errors().get(1).message().contains("budget: must not be negative"));
        assertTrue(r.errors().get(2).message().contains("name: required"));
        assertEquals(List.of(), a.entities().validate(a.read(em -> em.find(Project.class, project))), "the original stays valid");
    }

    /** Above every seq the server sends a node (its log goes out after the initial load, offset by 2^40). */
    private static long serverSeq = 1L << 41;

    private static long nextServerSeq() {
        return ++serverSeq;
    }

    private static void deliverFromServer(SyncEngine client, Change change) {
        String server = nodes.server().self().nodeId();
        long next = client.syncManager().node(server).orElseThrow().receivedPacketNo() + 1;
        ProcessResult r = client.syncManager().processPacket(new Packet(1, "1.0.0", server, client.self().nodeId(), next, 0, Instant.now(),
                false, List.of(change)));
        assertEquals(1, r.processed(), () -> r.toString());
    }
}
