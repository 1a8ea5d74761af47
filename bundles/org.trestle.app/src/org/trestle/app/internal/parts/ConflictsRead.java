package org.trestle.app.internal.parts;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.trestle.app.parts.Labels;
import org.trestle.sync.api.AttributeInfo;
import org.trestle.sync.api.ConflictRecord;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncService;
import org.trestle.sync.api.entity.SyncEntity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the Conflicts view shows, read from the database in one go off the UI thread: the
 * open conflicts, who sent each in words, the version each entity has here now (the other
 * side of the comparison), and the titles of the records their references point at.
 *
 * @param codes   node id to "this computer", "the office server" or "laptop X"
 * @param current version id to the entity as it is here now
 * @param titles  uuid to the title of a record a reference of a conflict points at
 */
record ConflictsRead(List<ConflictRecord> open, Map<String, String> codes, Map<String, ObjectNode> current,
        Map<String, String> titles) {

    static ConflictsRead read(SyncService sync) {
        List<ConflictRecord> open = sync.openConflicts();
        Map<String, String> codes = new HashMap<>();
        for (var n : sync.engine().syncManager().nodes()) {
            codes.put(n.nodeId(), Labels.node(n));
        }
        Map<String, ObjectNode> current = new HashMap<>();
        Map<String, String> titles = new HashMap<>();
        SyncEngine engine = sync.engine();
        for (ConflictRecord c : open) {
            EntityTypeInfo type = engine.entities().type(c.entityType()).orElse(null);
            if (type == null) {
                continue;
            }
            SyncEntity here = engine.read(em -> em.find(type.type(), c.entityUuid()));
            ObjectNode now = here == null ? null : engine.entities().serialize(here);
            if (now != null) {
                current.put(c.versionId(), now);
            }
            for (AttributeInfo a : engine.entities().attributes(type.name())) {
                if (a.isReference()) {
                    for (ObjectNode side : new ObjectNode[] { c.data(), c.otherData(), now }) {
                        JsonNode uuid = side == null ? null : side.get(a.name());
                        if (uuid != null && uuid.isTextual() && !titles.containsKey(uuid.asText())) {
                            EntityTypeInfo referenced = engine.entities().type(a.referencedType()).orElse(null);
                            engine.entities().find(a.referencedType(), uuid.asText())
                                    .filter(r -> referenced != null)
                                    .ifPresent(r -> titles.put(uuid.asText(), Labels.title(referenced, r.data())));
                        }
                    }
                }
            }
        }
        return new ConflictsRead(open, codes, current, titles);
    }

    /** @return a value as a person reads it: references by title, amounts and dates as the locale writes them */
    String shown(ObjectNode row, AttributeInfo a) {
        if (row == null) {
            return "";
        }
        String value = Labels.value(row, a);
        return a.isReference() && !value.isEmpty() ? titles.getOrDefault(value, "(not on this computer)")
                : Labels.shown(row, a);
    }
}
