package org.trestle.sync.core.internal;

import java.util.Iterator;
import java.util.Map;

import org.trestle.sync.api.packet.PacketException;
import org.trestle.sync.api.packet.Wire;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reading a packet's JSON fields strictly: a missing or mistyped field refuses the packet
 * with the field named, and values meet the packet's limits.
 */
final class PacketFields {

    private PacketFields() {
    }

    /**
     * A packet given as a JSON object inside a larger envelope was read with the envelope's
     * limits: its values meet the packet's own here.
     */
    static void checkStrings(JsonNode node, String at) {
        if (node.isTextual() && node.textValue().length() > PacketCodec.MAX_STRING) {
            throw new PacketException(PacketException.INVALID, at + " is longer than " + PacketCodec.MAX_STRING + " characters");
        }
        if (node.isTextual()) {
            noNul(node.textValue(), at);
        }
        if (node.isContainerNode()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> f = fields.next();
                noNul(f.getKey(), at);
                checkStrings(f.getValue(), at + "." + Wire.abbreviate(f.getKey()));
            }
            if (node.isArray()) {
                for (JsonNode element : node) {
                    checkStrings(element, at + "[]");
                }
            }
        }
    }

    /** No text of a packet holds U+0000: no database stores it (PostgreSQL refuses it in text), and no person types it. */
    static void noNul(String text, String at) {
        if (text.indexOf('\u0000') >= 0) {
            throw invalid(at + " holds the character U+0000");
        }
    }

    static PacketException invalid(String message) {
        return new PacketException(PacketException.INVALID, message);
    }

    static long integer(JsonNode node, String field, long min, long max) {
        return integer(node, field, min, max, null);
    }

    static long integer(JsonNode node, String field, long min, long max, String at) {
        JsonNode v = node.get(field);
        String name = at == null ? field : at + "." + field;
        if (v == null || v.isNull()) {
            throw invalid(name + " is missing");
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw invalid(name + " must be a whole number");
        }
        long value = v.longValue();
        if (value < min || value > max) {
            throw invalid(name + " must be at least " + min);
        }
        return value;
    }

    static String string(JsonNode node, String field, int maxLength) {
        return string(node, field, maxLength, null);
    }

    static String string(JsonNode node, String field, int maxLength, String at) {
        JsonNode v = node.get(field);
        String name = at == null ? field : at + "." + field;
        if (v == null || v.isNull()) {
            throw invalid(name + " is missing");
        }
        if (!v.isTextual() || v.textValue().isEmpty()) {
            throw invalid(name + " must be a non-empty string");
        }
        if (v.textValue().length() > maxLength) {
            throw invalid(name + " is longer than " + maxLength + " characters");
        }
        noNul(v.textValue(), name);
        return v.textValue();
    }

    static java.time.Instant timestamp(JsonNode node, String field) {
        return timestamp(node, field, null);
    }

    static java.time.Instant timestamp(JsonNode node, String field, String at) {
        String text = string(node, field, 40, at);
        try {
            return Wire.parse(text);
        } catch (IllegalArgumentException e) {
            throw invalid((at == null ? field : at + "." + field) + ": " + e.getMessage());
        }
    }
}
