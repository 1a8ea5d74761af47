package org.trestle.sync.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What people call an entity type and its records, as the plugin declared it (the
 * {@code label} and {@code title} of its {@code <entity>} declaration): the workbench,
 * the command line and the administrator's console show records by their title, never
 * by their uuid.
 *
 * @param label           what one record of the type is called, e.g. "Estimate item"
 * @param titleAttributes the attributes whose values, joined by a space, name a record
 *                        (e.g. {@code code, name} gives "P-7 Harbour bridge"); empty when
 *                        the type declares none, and then the first of {@code code},
 *                        {@code number}, {@code name}, {@code title} and
 *                        {@code description} that has a value names it
 * @since 0.1
 */
public record EntityNaming(String label, List<String> titleAttributes) {

    /** The attributes tried, in order, for a type that declares no title. */
    public static final List<String> USUAL_TITLES = List.of("code", "number", "name", "title", "description");

    public EntityNaming {
        Objects.requireNonNull(label, "label");
        titleAttributes = titleAttributes == null ? List.of() : List.copyOf(titleAttributes);
    }

    /** @return the naming of a type that declares none: its name in words, records titled the usual way */
    public static EntityNaming of(String typeName) {
        return new EntityNaming(words(typeName), List.of());
    }

    /**
     * Parses a declaration's {@code title}: attribute names separated by commas.
     *
     * @return the names, trimmed, empty for a blank or absent text
     * @throws IllegalArgumentException when a name is empty or given twice
     */
    public static List<String> parseTitle(String text) {
        List<String> names = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return names;
        }
        for (String part : text.split(",", -1)) {
            String name = part.trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("title \"" + text + "\" has an empty attribute name");
            }
            if (names.contains(name)) {
                throw new IllegalArgumentException("title \"" + text + "\" names " + name + " twice");
            }
            names.add(name);
        }
        return names;
    }

    /** @return a type or attribute name in words: {@code EstimateItem} becomes "Estimate item" */
    public static String words(String name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean wordStart = Character.isUpperCase(c) && i > 0 && !Character.isUpperCase(name.charAt(i - 1));
            if (wordStart) {
                out.append(' ').append(Character.toLowerCase(c));
            } else if (c == '_') {
                out.append(' ');
            } else {
                out.append(out.length() == 0 ? Character.toUpperCase(c) : c);
            }
        }
        return out.toString();
    }

    /**
     * @return the title of a record from its data: the declared attributes' values joined by
     *         a space, or the first usual one with a value; empty when none has one
     */
    public String title(JsonNode data) {
        if (data == null) {
            return "";
        }
        if (!titleAttributes.isEmpty()) {
            StringBuilder out = new StringBuilder();
            for (String a : titleAttributes) {
                String v = text(data.get(a));
                if (!v.isEmpty()) {
                    out.append(out.length() == 0 ? "" : " ").append(v);
                }
            }
            return out.toString();
        }
        for (String a : USUAL_TITLES) {
            String v = text(data.get(a));
            if (!v.isEmpty()) {
                return v;
            }
        }
        return "";
    }

    private static String text(JsonNode v) {
        return v == null || v.isNull() || v.isContainerNode() ? "" : v.asText().trim();
    }
}
