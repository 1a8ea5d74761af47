package org.trestle.app.parts;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.trestle.sync.api.AttributeInfo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Display texts derived from attribute names and values, shared by the workbench's
 * generic parts and by plugins that show their own.
 *
 * @since 0.1
 */
public final class Labels {

    /** Attributes people identify a record by, in the order they read them. */
    private static final List<String> IDENTIFYING = List.of("code", "number", "position", "name", "title",
            "description");

    private Labels() {
    }

    /** @return a label for an attribute name: {@code unitPrice} becomes "Unit price" */
    public static String of(String attribute) {
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

    /** @return the attribute's value in a row as text, empty when it has none */
    public static String value(ObjectNode row, AttributeInfo a) {
        JsonNode v = row.get(a.name());
        return v == null || v.isNull() ? "" : v.asText();
    }

    /** @return the attributes in the order people read them: identifying ones, then references, then the rest */
    public static List<AttributeInfo> ordered(List<AttributeInfo> attributes) {
        List<AttributeInfo> sorted = new ArrayList<>(attributes);
        sorted.sort(Comparator.comparingInt((AttributeInfo a) -> {
            int i = IDENTIFYING.indexOf(a.name());
            return i >= 0 ? i : a.isReference() ? IDENTIFYING.size() : IDENTIFYING.size() + 1;
        }));
        return sorted;
    }

    /** @return a short name for a row: its code, number, name or title, else its uuid */
    public static String title(ObjectNode row) {
        for (String key : new String[] { "code", "number", "name", "title", "description" }) {
            JsonNode v = row.get(key);
            if (v != null && !v.isNull() && !v.asText().isBlank()) {
                return v.asText();
            }
        }
        return row.path("uuid").asText();
    }
}
