package org.trestle.app.parts;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.trestle.sync.api.AttributeInfo;
import org.trestle.sync.api.EntityNaming;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.Resolution;

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

    /**
     * @return the attribute's value as a person reads it: amounts and dates as the user's
     *         locale writes them, other values as stored; empty when it has none
     */
    public static String shown(ObjectNode row, AttributeInfo a) {
        String value = value(row, a);
        if (a.javaType() == BigDecimal.class) {
            return Amounts.shown(value);
        }
        return a.javaType() == LocalDate.class ? Dates.shown(value) : value;
    }

    /**
     * @return what a person typed for an attribute as the value to store: amounts and dates
     *         in the locale's form or plainly
     * @throws IllegalArgumentException saying what is expected, when the text is not a value
     *                                  of the attribute's type
     */
    public static JsonNode typed(AttributeInfo a, String text) {
        if (a.javaType() == BigDecimal.class) {
            return a.parse(Amounts.plain(text));
        }
        return a.parse(a.javaType() == LocalDate.class ? Dates.plain(text) : text);
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
        return title.isEmpty() ? "Unnamed " + type.label().toLowerCase(Locale.ROOT) : title;
    }

    /** @return a type's label, or its name in words when it is not installed here */
    public static String typeLabel(Optional<EntityTypeInfo> type, String name) {
        return type.map(EntityTypeInfo::label).orElse(EntityNaming.words(name));
    }

    /** @return "1 estimate item", "2 estimates": a count of records of a type in words */
    public static String count(EntityTypeInfo type, String name, long n) {
        String label = typeLabel(Optional.ofNullable(type), name).toLowerCase(Locale.ROOT);
        if (n != 1) {
            label = label.endsWith("s") ? label : label.endsWith("y") && !label.endsWith("ay") && !label.endsWith("ey")
                    ? label.substring(0, label.length() - 1) + "ies" : label + "s";
        }
        return n + " " + label;
    }

    /** @return a node in words: "this computer", "the office server" or "laptop L-7" */
    public static String node(NodeInfo node) {
        return node.self() ? "this computer" : node.server() ? "the office server" : "laptop " + node.code();
    }

    /** @return how a conflict ended, in words, for the version a history or the Conflicts view shows */
    public static String resolution(Resolution resolution, boolean open) {
        if (open) {
            return "Waiting for you";
        }
        return switch (resolution) {
            case SERVER_WINS -> "The server's version stayed";
            case CLIENT_WINS -> "This version was taken";
            case MERGED -> "Merged with the other";
            case MANUAL_PENDING -> "Waiting for you";
            case RESOLVED -> "Decided by a person";
        };
    }

    /** @return a stored point in time as the locale writes it: "03.12.2026, 20:45" */
    public static String time(Instant at) {
        return at == null ? "" : DateTimeFormatter
                .ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT)
                .withLocale(Locale.getDefault(Locale.Category.FORMAT))
                .withZone(ZoneId.systemDefault()).format(at);
    }

    /**
     * @param titles the titles of the records references point at, by uuid
     * @return a record's values in one line as a person reads them: "Name: Cement · Unit price: 7,50"
     */
    public static String summary(List<AttributeInfo> attributes, ObjectNode data, Map<String, String> titles) {
        StringBuilder out = new StringBuilder();
        for (AttributeInfo a : ordered(attributes)) {
            String value = value(data, a);
            if (value.isEmpty()) {
                continue;
            }
            out.append(out.length() == 0 ? "" : " \u00B7 ").append(of(a.name())).append(": ")
                    .append(a.isReference() ? titles.getOrDefault(value, "(not on this computer)") : shown(data, a));
        }
        return out.toString();
    }
}
