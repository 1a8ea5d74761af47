package org.trestle.app.parts;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.trestle.sync.api.AttributeInfo;
import org.trestle.sync.api.EntityNaming;
import org.trestle.sync.api.EntityTypeInfo;

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
        return EntityNaming.words(attribute);
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

    /**
     * @return what names a record of a type: the values of the title the type declares (its
     *         code and name, say), or "Unnamed estimate item" when they are all empty; never
     *         its uuid
     */
    public static String title(EntityTypeInfo type, JsonNode row) {
        String title = type.title(row);
        return title.isEmpty() ? "Unnamed " + type.label().toLowerCase(java.util.Locale.ROOT) : title;
    }

    /** @return a type's label, or its name in words when it is not installed here */
    public static String typeLabel(java.util.Optional<EntityTypeInfo> type, String name) {
        return type.map(EntityTypeInfo::label).orElse(EntityNaming.words(name));
    }

    /** @return "1 estimate item", "2 estimates": a count of records of a type in words */
    public static String count(EntityTypeInfo type, String name, long n) {
        String label = typeLabel(java.util.Optional.ofNullable(type), name).toLowerCase(java.util.Locale.ROOT);
        if (n != 1) {
            label = label.endsWith("s") ? label : label.endsWith("y") && !label.endsWith("ay") && !label.endsWith("ey")
                    ? label.substring(0, label.length() - 1) + "ies" : label + "s";
        }
        return n + " " + label;
    }
}
