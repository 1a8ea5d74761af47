package org.trestle.sync.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trestle.sync.api.ConflictStrategy;
import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.EntityRow;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncState;
import org.trestle.sync.api.SyncStatus;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.testing.SyncTestNodes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A fleet in the middle of a rollout: the server and laptop B run version 1.1.0 of the
 * "Note" declaration (it added {@code category}), laptop A still runs 1.0.0. Nobody's
 * value is lost: A keeps the category it cannot show and sends it back untouched with its
 * own edits, and B keeps its category when A's edit arrives without one.
 */
class TypeVersionsTest {

    private static final EntityTypeInfo OLD = new EntityTypeInfo("Note", NoteV1.class, ConflictStrategy.SERVER_WINS,
            false, 10, "test", false, null, "1.0.0");
    private static final EntityTypeInfo NEW = new EntityTypeInfo("Note", NoteV2.class, ConflictStrategy.SERVER_WINS,
            false, 10, "test", false, null, "1.1.0");

    private SyncTestNodes nodes;
    private SyncEngine server;
    private SyncEngine oldLaptop;
    private SyncEngine newLaptop;

    @BeforeEach
    void start() {
        nodes = SyncTestNodes.startWithTypes(List.of(NEW));
        server = nodes.server();
        oldLaptop = nodes.addClient("OLD", List.of(OLD));
        newLaptop = nodes.addClient("NEW", List.of(NEW));
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    private static ObjectNode note(String title, String body, String category) {
        ObjectNode n = JsonNodeFactory.instance.objectNode().put("title", title).put("body", body);
        if (category != null) {
            n.put("category", category);
        }
        return n;
    }

    private static ObjectNode state(SyncEngine node, String uuid) {
        EntityRow row = node.entities().find("Note", uuid).orElseThrow(() -> new AssertionError("no note " + uuid));
        return row.data();
    }

    @Test
    void anOldNodeKeepsAnAttributeItDoesNotKnowAndSendsItBackWithItsEdits() {
        String uuid = UUID.randomUUID().toString();
        newLaptop.entities().put("Note", uuid, note("Footings", "pour on Monday", "concrete"));
        nodes.syncAll();

        // the old laptop took the note without an error and shows what it knows
        assertEquals(0, oldLaptop.administration().deadLetters(null, null, 0, 10).size(), "nothing refused");
        assertEquals("Footings", state(oldLaptop, uuid).path("title").asText());

        // its edit of the title goes out with the category untouched
        oldLaptop.entities().put("Note", uuid, note("Footings, east side", "pour on Monday", null));
        nodes.syncAll();
        assertEquals("Footings, east side", state(server, uuid).path("title").asText());
        assertEquals("concrete", state(server, uuid).path("category").asText(), "the server kept the category");
        assertEquals("Footings, east side", state(newLaptop, uuid).path("title").asText());
        assertEquals("concrete", state(newLaptop, uuid).path("category").asText(), "the new laptop kept its category");
    }

    @Test
    void aNewNodesCategoryEditReachesTheOldNodeWhichSendsItOnUnchanged() {
        String uuid = UUID.randomUUID().toString();
        oldLaptop.entities().put("Note", uuid, note("Scaffold", "check ties", null));
        nodes.syncAll();
        assertEquals("Scaffold", state(newLaptop, uuid).path("title").asText());

        newLaptop.entities().put("Note", uuid, note("Scaffold", "check ties", "safety"));
        nodes.syncAll();
        oldLaptop.entities().put("Note", uuid, note("Scaffold", "check ties and boards", null));
        nodes.syncAll();
        assertEquals("check ties and boards", state(newLaptop, uuid).path("body").asText());
        assertEquals("safety", state(newLaptop, uuid).path("category").asText(), "nobody erased the category");
        assertEquals("safety", state(server, uuid).path("category").asText());
    }

    @Test
    void theServerKnowsWhichVersionsEachNodeRuns() {
        oldLaptop.entities().put("Note", UUID.randomUUID().toString(), note("Rebar", "order", null));
        nodes.syncAll();
        Map<String, Map<String, String>> byCode = new HashMap<>();
        for (NodeInfo n : server.syncManager().nodes()) {
            byCode.put(n.code(), n.typeVersions());
        }
        assertEquals(Map.of("Note", "1.0.0"), byCode.get("OLD"));
        assertEquals(Map.of("Note", "1.1.0"), byCode.get("NEW"));
    }

    @Test
    void aTypeALaptopDoesNotHaveYetIsKeptAndAppliedOnceItsPluginIsInstalled() throws Exception {
        EntityTypeInfo site = new EntityTypeInfo("Site", Site.class, ConflictStrategy.SERVER_WINS, false, 5, "test", false,
                null, "1.0.0");
        try (SyncTestNodes fleet = SyncTestNodes.startWithTypes(List.of(NEW, site))) {
            SyncEngine newer = fleet.addClient("WITH-SITES", List.of(NEW, site));
            Path dir = Files.createTempDirectory("trestle-later-plugin");
            var factory = SyncTestNodes.engineFactory();
            NodeInfo reg = fleet.server().syncManager().registerNode("WITHOUT", "WITHOUT", null);
            String uuid = SyncTestNodes.write(newer, em -> {
                Site s = new Site();
                s.setCode("S-1");
                s.setName("Harbour");
                em.persist(s);
                return s.getUuid();
            });
            fleet.sync(newer);
            try (SyncEngine without = factory.open(dir, EngineSettings.defaults(), List.of(NEW))) {
                without.syncManager().initializeClient(reg.nodeId(), "WITHOUT", fleet.server().self().nodeId());
                fleet.sync(without);
                var kept = without.administration().deadLetters(null, null, 0, 10);
                assertEquals(1, kept.size(), "the site is kept, not lost");
                assertEquals("type_not_installed", kept.get(0).error(), kept.get(0).message());
                assertEquals(Map.of("Site", 1L), without.administration().waitingForPlugins(), "counted for the status");
                var state = new SyncState(SyncStatus.ONLINE, null, "WITHOUT",
                        reg.nodeId(), 0, 0, null, null, null, without.administration().waitingForPlugins());
                assertEquals("1 change of types this computer does not have (Site): update to receive them",
                        state.waitingForPluginsText(), "what the status line and trestle-sync status say");
            }
            // the plugin arrives (the engine opens with the type): the kept change applies
            try (SyncEngine with = factory.open(dir, EngineSettings.defaults(), List.of(NEW, site))) {
                assertEquals("Harbour", with.entities().find("Site", uuid).orElseThrow().data().path("name").asText());
                assertEquals(0, with.administration().deadLetters(null, null, 0, 10).size(), "nothing kept any more");
                assertEquals(Map.of(), with.administration().waitingForPlugins());
            }
        }
    }

    @Test
    void anAttributeFromANodeOfTheSameVersionIsStillAnError() {
        String uuid = UUID.randomUUID().toString();
        // a node on 1.0.0, like the old laptop, sending an attribute 1.0.0 does not have
        var packet = new Packet(1, "1.0.0", newLaptop.self().nodeId(), server.self().nodeId(),
                1, 0, Instant.now(), false, List.of(new Change(1, "Note", uuid,
                        Operation.INSERT, Instant.now(),
                        note("Bad", "no such attribute", null).put("colour", "red"), null, null, null)),
                Map.of("Note", "1.1.0"));
        var result = server.syncManager().processPacket(packet);
        assertEquals(1, result.errors().size(), "an attribute the same version does not have is refused");
        assertEquals("unknown_attribute", result.errors().get(0).error());
        assertTrue(server.entities().find("Note", uuid).isEmpty());
    }
}
