package org.trestle.app.internal.parts;

import org.trestle.sync.api.AttributeInfo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Display texts derived from attribute names and values. */
final class Labels {

    private Labels() {
    }

    /** {@code unitPrice} becomes "Unit price". */
    static String of(String attribute) {
        StringBuilder out = new StringBuilder();
        for (char c : attribute.toCharArray()) {
            if (Character.isUpperCase(c) && out.length() > 0) {
                out.append(' ').append(Character.toLowerCase(c));
            } else {
                out.append(out.length() == 0 ? Character.toUpperCase(c) : c);
            }
        }
        return out.toString();
    }

    static String value(ObjectNode row, AttributeInfo a) {
        JsonNode v = row.get(a.name());
        return v == null || v.isNull() ? "" : v.asText();
    }

    private static final java.util.List<String> FIRST = java.util.List.of("code", "number", "position", "name", "title",
            "description", "project", "estimate");

    /** @return the attributes in the order people read them: identifying ones first */
    static java.util.List<AttributeInfo> ordered(java.util.List<AttributeInfo> attributes) {
        java.util.List<AttributeInfo> sorted = new java.util.ArrayList<>(attributes);
        sorted.sort(java.util.Comparator.comparingInt((AttributeInfo a) -> {
            int i = FIRST.indexOf(a.name());
            return i < 0 ? FIRST.size() : i;
        }));
        return sorted;
    }

    /** A short name for a row: its code, number, name or title, else its uuid. */
    static String title(ObjectNode row) {
        for (String key : new String[] { "code", "number", "name", "title", "description" }) {
            JsonNode v = row.get(key);
            if (v != null && !v.isNull() && !v.asText().isBlank()) {
                return v.asText();
            }
        }
        return row.path("uuid").asText();
    }
}
