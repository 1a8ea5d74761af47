package org.trestle.app.parts;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.trestle.sync.api.EntityRow;
import org.trestle.sync.api.EntityStore;
import org.trestle.sync.api.EntityTypeInfo;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a table part shows, read in one go off the UI thread: its live records (each with
 * its uuid in the row), the records its references may point at, and their titles.
 *
 * @param choices the live records of each referenced type, by type name
 * @param titles  the titles of those records, by type name and uuid
 */
record TableRead(List<ObjectNode> rows, Map<String, List<EntityRow>> choices, Map<String, Map<String, String>> titles) {

    static TableRead read(EntityStore store, EntityTypeInfo type, List<String> referenced) {
        List<ObjectNode> rows = new ArrayList<>();
        for (EntityRow entry : store.list(type.name())) {
            ObjectNode row = entry.data().deepCopy();
            row.put("uuid", entry.uuid());
            rows.add(row);
        }
        Map<String, List<EntityRow>> choices = new HashMap<>();
        Map<String, Map<String, String>> named = new HashMap<>();
        for (String t : referenced) {
            List<EntityRow> records = store.list(t);
            choices.put(t, records);
            EntityTypeInfo info = store.type(t).orElse(null);
            Map<String, String> byUuid = new HashMap<>();
            for (EntityRow r : records) {
                byUuid.put(r.uuid(), info == null ? r.uuid() : Labels.title(info, r.data()));
            }
            named.put(t, byUuid);
        }
        return new TableRead(rows, choices, named);
    }
}
