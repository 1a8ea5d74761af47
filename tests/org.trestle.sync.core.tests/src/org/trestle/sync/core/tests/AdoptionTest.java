package org.trestle.sync.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.trestle.sync.api.ConflictStrategy;
import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.EntityRow;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncEngineFactory;
import org.trestle.sync.testing.SyncTestNodes;

/**
 * A domain plugin installed over a table that already holds rows (its own key, no uuid,
 * no updated_at, no is_deleted): the rows are adopted on the first start, with a version 7
 * uuid each, and their first sync sends them; a second start changes nothing.
 */
class AdoptionTest {

    private static final EntityTypeInfo LEGACY = new EntityTypeInfo("LegacyTool", LegacyTool.class,
            ConflictStrategy.SERVER_WINS, false, 10, "test", false, null, "1.0.0");

    /** The table as another program left it, in a node database that knows nothing of it. */
    private static void legacyTable(SyncEngineFactory factory, Path dir) {
        try (SyncEngine bare = factory.open(dir, EngineSettings.defaults(), List.of())) {
            bare.inTx(em -> {
                em.createNativeQuery("CREATE TABLE TEST_LEGACY_TOOL (ID INTEGER NOT NULL PRIMARY KEY, NAME VARCHAR(100))")
                        .executeUpdate();
                for (int i = 1; i <= 3; i++) {
                    em.createNativeQuery("INSERT INTO TEST_LEGACY_TOOL (ID, NAME) VALUES (" + i + ", 'Drill " + i + "')")
                            .executeUpdate();
                }
                return null;
            });
        }
    }

    private static Map<String, String> tools(SyncEngine node) {
        Map<String, String> out = new TreeMap<>();
        for (EntityRow r : node.entities().list("LegacyTool")) {
            out.put(r.uuid(), r.data().path("name").asText());
        }
        return out;
    }

    @Test
    void existingRowsAreAdoptedOnceAndTheirFirstSyncSendsThem() throws Exception {
        SyncEngineFactory factory = SyncTestNodes.engineFactory();
        try (SyncTestNodes nodes = SyncTestNodes.startWithTypes(List.of(LEGACY))) {
            Path dir = Files.createTempDirectory("trestle-adopt");
            legacyTable(factory, dir);
            NodeInfo registered = nodes.server().syncManager().registerNode("ADOPTER", "ADOPTER", null);
            Map<String, String> adopted;
            try (SyncEngine laptop = factory.open(dir, EngineSettings.defaults(), List.of(LEGACY))) {
                laptop.syncManager().initializeClient(registered.nodeId(), "ADOPTER", nodes.server().self().nodeId());
                adopted = tools(laptop);
                assertEquals(3, adopted.size(), "every existing row is an entity now");
                for (String uuid : adopted.keySet()) {
                    assertEquals('7', uuid.charAt(14), "a version 7 uuid: " + uuid);
                }
                assertEquals(3, laptop.syncManager().pendingCount(nodes.server().self().nodeId()), "all three to send");
                nodes.sync(laptop);
                assertEquals(adopted, tools(nodes.server()), "the first sync sent them");
            }
            // a second start adopts nothing more and keeps every uuid
            try (SyncEngine again = factory.open(dir, EngineSettings.defaults(), List.of(LEGACY))) {
                assertEquals(adopted, tools(again));
                assertEquals(0, again.syncManager().pendingCount(nodes.server().self().nodeId()), "nothing new to send");
            }
        }
    }

    @Test
    void rowsAdoptedOnTheServerArePartOfANewLaptopsInitialLoad() throws Exception {
        SyncEngineFactory factory = SyncTestNodes.engineFactory();
        Path dir = Files.createTempDirectory("trestle-adopt-server");
        legacyTable(factory, dir);
        try (SyncEngine server = factory.open(dir, EngineSettings.defaults(), List.of(LEGACY))) {
            server.syncManager().initializeServer("server");
            Map<String, String> adopted = tools(server);
            assertEquals(3, adopted.size());
            assertFalse(adopted.containsValue(null));
            NodeInfo registered = server.syncManager().registerNode("NEWCOMER", "NEWCOMER", null);
            Path laptopDir = Files.createTempDirectory("trestle-adopt-laptop");
            try (SyncEngine laptop = factory.open(laptopDir, EngineSettings.defaults(), List.of(LEGACY))) {
                laptop.syncManager().initializeClient(registered.nodeId(), "NEWCOMER", server.self().nodeId());
                for (int i = 0; i < 10; i++) {
                    var down = server.syncManager().buildPacket(registered.nodeId());
                    laptop.syncManager().processPacket(down);
                    if (!down.hasMore()) {
                        break;
                    }
                }
                assertEquals(adopted, tools(laptop), "the initial load carried the adopted rows");
                assertTrue(tools(laptop).values().contains("Drill 2"));
            }
        }
    }
}
