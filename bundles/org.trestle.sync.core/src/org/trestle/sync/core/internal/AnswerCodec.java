package org.trestle.sync.core.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.trestle.sync.api.ChangeError;
import org.trestle.sync.api.ConflictReport;
import org.trestle.sync.api.Resolution;
import org.trestle.sync.api.packet.ExchangeAnswer;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.packet.PacketException;
import org.trestle.sync.api.packet.Wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The exchange answer of PROTOCOL.md ({@code success}, {@code packet_data} as an object or
 * as the hex of its GZIP, the counts, {@code errors}, {@code conflicts}, {@code message}),
 * written by the server and read by every client in exactly one place. Its packet goes
 * through the packet codec with its limits.
 */
final class AnswerCodec {

    private static final ObjectMapper WRITER = new ObjectMapper();

    private final PacketCodec packets;
    private final Map<Long, ObjectMapper> readers = new ConcurrentHashMap<>();

    AnswerCodec(PacketCodec packets) {
        this.packets = packets;
    }

    byte[] toJson(ExchangeAnswer answer, boolean hexPacket) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("success", true);
        if (hexPacket) {
            out.put("packet_data", HexFormat.of().formatHex(packets.compress(answer.packet())));
        } else {
            out.set("packet_data", packets.toTree(answer.packet()));
        }
        out.put("processed_count", answer.processed());
        out.put("skipped_count", answer.skipped());
        out.put("error_count", answer.errors().size());
        out.put("conflict_count", answer.conflicts().size());
        ArrayNode errors = out.putArray("errors");
        for (ChangeError e : answer.errors()) {
            errors.addObject().put("seq", e.seq()).put("entity_type", e.entityType()).put("entity_uuid", e.entityUuid())
                    .put("error", e.error()).put("message", e.message());
        }
        ArrayNode conflicts = out.putArray("conflicts");
        for (ConflictReport c : answer.conflicts()) {
            conflicts.addObject().put("version_id", c.versionId()).put("entity_type", c.entityType())
                    .put("entity_uuid", c.entityUuid()).put("resolution", c.resolution().wireName());
        }
        out.put("message", answer.message());
        try {
            return WRITER.writeValueAsBytes(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an exchange answer could not be written", e);
        }
    }

    ExchangeAnswer fromJson(byte[] bytes, long maxInflatedBytes) {
        JsonNode root;
        try {
            root = envelope(maxInflatedBytes).readTree(bytes);
        } catch (IOException e) {
            throw new PacketException(PacketException.INVALID,
                    "the answer is not valid JSON: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new PacketException(PacketException.INVALID, "the answer is not a JSON object");
        }
        JsonNode data = root.get("packet_data");
        Packet packet;
        if (data != null && data.isTextual()) {
            byte[] gz;
            try {
                gz = HexFormat.of().parseHex(data.textValue());
            } catch (IllegalArgumentException e) {
                throw new PacketException(PacketException.INVALID, "packet_data is not hex");
            }
            packet = packets.decompress(gz, maxInflatedBytes);
        } else if (data != null && data.isObject()) {
            packet = packets.fromTree(data);
        } else {
            throw new PacketException(PacketException.INVALID, "the answer has no packet_data");
        }
        List<ChangeError> errors = new ArrayList<>();
        for (JsonNode e : root.path("errors")) {
            errors.add(new ChangeError(e.path("seq").asLong(), e.path("entity_type").asText(),
                    e.path("entity_uuid").asText(), e.path("error").asText(), e.path("message").asText()));
        }
        List<ConflictReport> conflicts = new ArrayList<>();
        for (JsonNode c : root.path("conflicts")) {
            Resolution resolution;
            try {
                resolution = Resolution.fromWireName(c.path("resolution").asText());
            } catch (IllegalArgumentException e) {
                throw new PacketException(PacketException.INVALID, "unknown conflict resolution " + Wire.abbreviate(c.path("resolution").asText()));
            }
            conflicts.add(new ConflictReport(c.path("version_id").asText(), c.path("entity_type").asText(),
                    c.path("entity_uuid").asText(), resolution));
        }
        return new ExchangeAnswer(packet, root.path("processed_count").asInt(), root.path("skipped_count").asInt(),
                errors, conflicts, root.path("message").asText(""));
    }

    /** A reader for the answer's envelope, whose packet may be one long hex string; one per limit. */
    private ObjectMapper envelope(long maxInflatedBytes) {
        return readers.computeIfAbsent(maxInflatedBytes, limit -> {
            int maxString = (int) Math.min(Integer.MAX_VALUE - 16, Math.max(PacketCodec.MAX_STRING, limit * 2));
            return new ObjectMapper(JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(PacketCodec.MAX_NESTING).maxStringLength(maxString).maxNumberLength(100).build())
                    .build());
        });
    }
}
