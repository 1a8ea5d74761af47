package org.trestle.sync.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.testing.SyncTestNodes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Serialization by attribute name, driven by the JPA metamodel, and its inverse. */
class EntityCodecTest {

    private static SyncTestNodes nodes;
    private static SyncEngine server;
    private static SyncEngine client;
    /** The server's seq numbers in the packets these tests hand-craft. */
    private static long seq = 1_000_000;

    @BeforeAll
    static void start() {
        nodes = SyncTestNodes.start(1);
        server = nodes.server();
        client = nodes.client(0);
    }

    @AfterAll
    static void stop() {
        nodes.close();
    }

    @Test
    void attributesTravelByNameInTheirWireForms() {
        Site s = new Site();
        s.setUuid(UUID.randomUUID().toString());
        s.setCode("W-1");
        s.setName("Wharf");
        s.setBudget(new BigDecimal("1250.50"));
        s.setStartDate(LocalDate.of(2026, 11, 25));
        s.setStatus(Site.Status.ACTIVE);
        s.setFloors(3);
        ObjectNode data = server.entities().serialize(s);
        assertEquals("1250.50", data.get("budget").textValue());
        assertEquals("2026-11-25", data.get("startDate").textValue());
        assertEquals("ACTIVE", data.get("status").textValue());
        assertEquals(3, data.get("floors").intValue());
        assertTrue(!data.has("uuid") && !data.has("updatedAt") && !data.has("deleted"),
                "envelope attributes do not travel in data: " + data);

        Task t = new Task();
        t.setSite(s);
        t.setTitle("Piles");
        assertEquals(s.getUuid(), server.entities().serialize(t).get("site").textValue(), "references travel as uuid");
    }

    @Test
    void incomingDataIsAppliedWithTypesAndReferencesResolved() {
        String site = UUID.randomUUID().toString();
        String task = UUID.randomUUID().toString();
        Instant at = Instant.parse("2026-11-25T09:59:58.123Z");
        ObjectNode siteData = JsonNodeFactory.instance.objectNode().put("code", "A-9").put("name", "Annex")
                .put("budget", "99.95").put("startDate", "2027-01-04").put("status", "DONE").put("floors", 7);
        ObjectNode taskData = JsonNodeFactory.instance.objectNode().put("site", site).put("title", "Roof").put("hours", 12);
        ProcessResult r = client.syncManager().processPacket(new Packet(1, "1.0.0", server.self().nodeId(), client.self().nodeId(),
                nextPacketNo(), 0, at, false, List.of(
                        new Change(++seq, "Site", site, Operation.INSERT, at, siteData, null, null, null),
                        new Change(++seq, "Task", task, Operation.INSERT, at, taskData, null, null, null))));
        assertEquals(2, r.processed(), () -> "errors: " + r.errors());
        Site s = client.read(em -> em.find(Site.class, site));
        assertEquals(new BigDecimal("99.95"), s.getBudget());
        assertEquals(LocalDate.of(2027, 1, 4), s.getStartDate());
        assertEquals(Site.Status.DONE, s.getStatus());
        assertEquals(at, s.getUpdatedAt(), "the sender's updatedAt is kept");
        assertEquals(site, client.read(em -> em.find(Task.class, task).getSite().getUuid()));
        assertEquals(0, client.syncManager().pendingCount(server.self().nodeId()), "applied changes are not echoed to their sender");
    }

    @Test
    void wrongTypesAreChangeErrorsNamingTheAttribute() {
        Instant at = Instant.now();
        String uuid = UUID.randomUUID().toString();
        for (ObjectNode bad : List.of(JsonNodeFactory.instance.objectNode().put("floors", "three"),
                JsonNodeFactory.instance.objectNode().put("startDate", "25/11/2026"),
                JsonNodeFactory.instance.objectNode().put("status", "DEMOLISHED"),
                JsonNodeFactory.instance.objectNode().put("floors", 1).put("name", 5))) {
            ProcessResult r = client.syncManager().processPacket(new Packet(1, "1.0.0", server.self().nodeId(), client.self().nodeId(),
                    nextPacketNo(), 0, at, false,
                    List.of(new Change(++seq, "Site", uuid, Operation.INSERT, at,
                            bad, null, null, null))));
            assertEquals(1, r.errors().size(), bad::toString);
            assertEquals("invalid_value", r.errors().get(0).error());
            assertTrue(r.errors().get(0).message().startsWith("Site."), r.errors().get(0).message());
        }
        assertThrows(IllegalArgumentException.class, () -> server.entities().serialize(new SyncTestNotAnEntity()));
    }

    private static long nextPacketNo() {
        return client.syncManager().node(server.self().nodeId()).orElseThrow().receivedPacketNo() + 1;
    }

    /** A class that is not a contributed entity type. */
    static final class SyncTestNotAnEntity extends org.trestle.sync.api.entity.SyncEntity {
    }
}
