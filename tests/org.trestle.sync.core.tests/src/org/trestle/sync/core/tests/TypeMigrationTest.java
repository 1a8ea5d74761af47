package org.trestle.sync.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.trestle.sync.api.ConflictStrategy;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncStatus;
import org.trestle.sync.api.TypeMigration;
import org.trestle.sync.testing.SyncTestNodes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A breaking change declared as a migration: version 2.0.0 of "Note" renames {@code body}
 * to {@code text}. The server on 2.0.0 translates between it and laptops still on 1.x,
 * both ways; a version it cannot translate is refused in words, and nothing is lost.
 */
class TypeMigrationTest {

    private static final EntityTypeInfo V1 = new EntityTypeInfo("Note", NoteV1.class, ConflictStrategy.SERVER_WINS,
            false, 10, "test", false, null, "1.0.0");
    private static final EntityTypeInfo V1_1 = new EntityTypeInfo("Note", NoteV2.class, ConflictStrategy.SERVER_WINS,
            false, 10, "test", false, null, "1.1.0");
    private static final EntityTypeInfo V2 = new EntityTypeInfo("Note", NoteV3.class, ConflictStrategy.SERVER_WINS,
            false, 10, "test", false, null, "2.0.0",
            List.of(new TypeMigration("2.0.0", List.of(new TypeMigration.Rename("body", "text")))));
    private static final EntityTypeInfo V2_UNDECLARED = new EntityTypeInfo("Note", NoteV3.class,
            ConflictStrategy.SERVER_WINS, false, 10, "test", false, null, "2.0.0");

    private static ObjectNode json() {
        return JsonNodeFactory.instance.objectNode();
    }

    private static ObjectNode state(SyncEngine node, String uuid) {
        return node.entities().find("Note", uuid).orElseThrow(() -> new AssertionError("no note " + uuid)).data();
    }

    @Test
    void aRenamedAttributeIsTranslatedBetweenAnOldLaptopAndTheNewVersionBothWays() {
        try (SyncTestNodes nodes = SyncTestNodes.startWithTypes(List.of(V2))) {
            SyncEngine old = nodes.addClient("OLD", List.of(V1));
            SyncEngine fresh = nodes.addClient("FRESH", List.of(V2));
            String uuid = UUID.randomUUID().toString();
            old.entities().put("Note", uuid, json().put("title", "Crane permit").put("body", "apply by Friday"));
            nodes.syncAll();
            assertEquals("apply by Friday", state(nodes.server(), uuid).path("text").asText(), "body arrived as text");
            assertEquals("apply by Friday", state(fresh, uuid).path("text").asText());

            fresh.entities().put("Note", uuid, json().put("title", "Crane permit").put("text", "applied on Thursday")
                    .put("category", "permits"));
            nodes.syncAll();
            assertEquals("applied on Thursday", state(old, uuid).path("body").asText(), "text arrived as body");
            assertEquals(0, old.administration().deadLetters(null, null, 0, 10).size(), "nothing refused on 1.0.0");

            old.entities().put("Note", uuid, json().put("title", "Crane permit, tower 2").put("body", "applied on Thursday"));
            nodes.syncAll();
            ObjectNode onFresh = state(fresh, uuid);
            assertEquals("Crane permit, tower 2", onFresh.path("title").asText());
            assertEquals("applied on Thursday", onFresh.path("text").asText());
            assertEquals("permits", onFresh.path("category").asText(), "the old laptop's edit kept the category");
        }
    }

    @Test
    void aLaterMajorVersionThanTheServersIsRefusedInWordsAndItsChangesStayQueued() {
        try (SyncTestNodes nodes = SyncTestNodes.startWithTypes(List.of(V1_1))) {
            SyncEngine ahead = nodes.addClient("AHEAD", List.of(V2));
            ahead.entities().put("Note", UUID.randomUUID().toString(), json().put("title", "Too new").put("text", "x"));
            var e = assertThrows(IllegalStateException.class, () -> nodes.exchange(ahead));
            var cause = (org.trestle.sync.api.SyncException) e.getCause();
            assertEquals(SyncStatus.INCOMPATIBLE, cause.status(), cause.getMessage());
            assertTrue(cause.getMessage().contains("Note") && cause.getMessage().contains("2.0.0")
                    && cause.getMessage().contains("1.1.0"), cause.getMessage());
            assertEquals(1, ahead.syncManager().pendingCount(nodes.server().self().nodeId()), "its change waits");
            assertEquals(0, nodes.server().entities().list("Note").size(), "nothing was applied");
        }
    }

    @Test
    void aMajorVersionWithoutAMigrationCannotTranslateAnOldLaptop() {
        try (SyncTestNodes nodes = SyncTestNodes.startWithTypes(List.of(V2_UNDECLARED))) {
            SyncEngine old = nodes.addClient("OLD", List.of(V1));
            old.entities().put("Note", UUID.randomUUID().toString(), json().put("title", "Old").put("body", "kept"));
            var e = assertThrows(IllegalStateException.class, () -> nodes.exchange(old));
            assertTrue(e.getCause().getMessage().contains("no migration to version 2.x"), e.getCause().getMessage());
            assertEquals(1, old.syncManager().pendingCount(nodes.server().self().nodeId()), "its change waits");
        }
    }
}
