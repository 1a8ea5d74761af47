package org.trestle.sync.api;

import java.math.BigDecimal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * One synchronized attribute of an entity type, as it is stored and sent: what a form,
 * a table or the command line needs to show and edit it without knowing the type.
 *
 * @param name           the attribute's name on the wire, e.g. {@code unitPrice}
 * @param javaType       its Java type ({@code String}, {@code BigDecimal}, {@code LocalDate},
 *                       a primitive, an enum, or the referenced entity class)
 * @param referencedType the name of the entity type it references, or {@code null} when it
 *                       is a plain value
 * @param primitive      whether it cannot be empty (a Java primitive)
 * @param derived        whether the owning type computes it (it is shown, never edited)
 * @since 0.1
 */
public record AttributeInfo(String name, Class<?> javaType, String referencedType, boolean primitive,
        boolean derived) {

    /** @return whether this attribute references another synchronized entity */
    public boolean isReference() {
        return referencedType != null;
    }

    /** @return whether this attribute holds an amount or count that people read right-aligned */
    public boolean isNumeric() {
        return Number.class.isAssignableFrom(javaType) || (javaType.isPrimitive() && javaType != boolean.class);
    }

    /**
     * Turns what a person typed into the attribute's wire value: numbers as numbers,
     * decimals as strings, references, dates and enums as given. Empty text means no
     * value.
     *
     * @throws IllegalArgumentException when the text is not a number where one is needed,
     *                                  or not {@code true}/{@code false} for a flag
     */
    public JsonNode parse(String text) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            return f.nullNode();
        }
        Class<?> type = javaType;
        try {
            if (type == int.class || type == Integer.class) {
                return f.numberNode(Integer.parseInt(t));
            }
            if (type == long.class || type == Long.class) {
                return f.numberNode(Long.parseLong(t));
            }
            if (type == double.class || type == Double.class) {
                return f.numberNode(Double.parseDouble(t));
            }
            if (type == BigDecimal.class) {
                return f.textNode(new BigDecimal(t).toPlainString());
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number");
        }
        if (type == boolean.class || type == Boolean.class) {
            if (!t.equals("true") && !t.equals("false")) {
                throw new IllegalArgumentException("true or false");
            }
            return f.booleanNode(Boolean.parseBoolean(t));
        }
        return f.textNode(t);
    }
}
