package org.trestle.sync.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.packet.PacketException;
import org.trestle.sync.core.internal.Gzip;
import org.trestle.sync.core.internal.PacketCodec;
import org.trestle.sync.core.internal.SignedFiles;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** Packet JSON and GZIP: round trips, precise refusals, and bounded inflating. */
class PacketCodecTest {

    private final PacketCodec codec = new PacketCodec("1.0.0", 1000);

    private static final String VALID = """
            {"protocol": 1, "schema_version": "1.0.0", "sender": "a", "target": "s", "packet_no": 42, "ack": 41,
             "created_at": "2026-11-25T10:00:00.000Z", "has_more": false, "future_field": {"ignored": true},
             "changes": [{"seq": 1017, "entity_type": "Estimate", "entity_uuid": "u1", "operation": "UPDATE",
                          "updated_at": "2026-11-25T09:59:58.123Z", "data": {"title": "Roof", "total": "1250.50"},
                          "changed": ["title"]},
                         {"seq": 1018, "entity_type": "Estimate", "entity_uuid": "u2", "operation": "DELETE",
                          "updated_at": "2026-11-25T09:59:59.000Z"}]}
            """;

    @Test
    void theProtocolsExamplePacketParsesAndRoundTrips() {
        Packet p = codec.fromJson(VALID.getBytes(StandardCharsets.UTF_8));
        assertEquals(42, p.packetNo());
        assertEquals(41, p.ack());
        assertEquals(2, p.changes().size());
        assertEquals(List.of("title"), p.changes().get(0).changed());
        assertEquals("1250.50", p.changes().get(0).data().get("total").asText());
        assertEquals(Operation.DELETE, p.changes().get(1).operation());
        assertEquals(Instant.parse("2026-11-25T09:59:58.123Z"), p.changes().get(0).updatedAt());
        Packet again = codec.decompress(codec.compress(p), 1 << 20);
        assertEquals(p, again);
        String json = new String(codec.toJson(p), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"updated_at\":\"2026-11-25T09:59:58.123Z\""), "timestamps carry milliseconds: " + json);
    }

    @Test
    void theTypesASenderRunsRoundTripAndABadOneIsRefused() {
        Packet p = codec.fromJson(VALID.replace("\"has_more\": false,", "\"has_more\": false, \"types\": {\"Estimate\": \"1.1.0\"},")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(Map.of("Estimate", "1.1.0"), p.types());
        assertEquals(p, codec.decompress(codec.compress(p), 1 << 20));
        assertEquals(Map.of(), codec.fromJson(VALID.getBytes(StandardCharsets.UTF_8)).types(),
                "a sender that does not say");
        assertInvalid(VALID.replace("\"has_more\": false,", "\"has_more\": false, \"types\": [\"Estimate\"],"),
                "types must be an object");
        assertInvalid(VALID.replace("\"has_more\": false,", "\"has_more\": false, \"types\": {\"Estimate\": \"1.1\"},"),
                "major.minor.micro");
    }

    @Test
    void malformedPacketsAreRefusedWithTheFieldNamed() {
        assertInvalid("{", "not valid JSON");
        assertInvalid("[]", "must be a JSON object");
        assertInvalid(VALID.replace("\"packet_no\": 42,", ""), "packet_no is missing");
        assertInvalid(VALID.replace("\"packet_no\": 42", "\"packet_no\": \"42\""), "packet_no must be a whole number");
        assertInvalid(VALID.replace("\"operation\": \"UPDATE\"", "\"operation\": \"MERGE\""), "changes[0].operation");
        assertInvalid(VALID.replace("\"seq\": 1018", "\"seq\": 1000"), "does not increase");
        assertInvalid(VALID.replace("\"created_at\": \"2026-11-25T10:00:00.000Z\"", "\"created_at\": \"yesterday\""),
                "created_at");
        assertInvalid(VALID.replace(", \"data\": {\"title\": \"Roof\", \"total\": \"1250.50\"}", ""), "changes[0].data");
    }

    @Test
    void deepNestingIsRefusedWhileParsing() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertInvalid(VALID.replace("{\"ignored\": true}", deep), "not valid JSON");
    }

    @Test
    void tooManyChangesAreRefusedAsTooLarge() {
        PacketCodec small = new PacketCodec("1.0.0", 1);
        PacketException e = assertThrows(PacketException.class, () -> small.fromJson(VALID.getBytes(StandardCharsets.UTF_8)));
        assertEquals(PacketException.TOO_LARGE, e.code());
    }

    @Test
    void aGzipBombIsStoppedAtTheLimitWithoutInflatingIt() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 512; i++) {
                gz.write(zeros); // 512 MiB of zeros, a few hundred KiB compressed
            }
        }
        assertTrue(bytes.size() < 1 << 20);
        PacketException e = assertThrows(PacketException.class, () -> Gzip.inflate(bytes.toByteArray(), 1 << 20));
        assertEquals(PacketException.TOO_LARGE, e.code());
    }

    @Test
    void badGzipIsInvalid() {
        PacketException e = assertThrows(PacketException.class,
                () -> codec.decompress("not gzip".getBytes(StandardCharsets.UTF_8), 1 << 20));
        assertEquals(PacketException.INVALID, e.code());
    }

    @Test
    void aPacketOfAnotherMajorSchemaVersionIsIncompatible() {
        Packet p = new Packet(1, "2.1.0", "a", "s", 1, 0, Instant.now(), false, List.of(new Change(1, "Site", "u",
                Operation.INSERT, Instant.now(), JsonNodeFactory.instance.objectNode(), null, null, null)));
        PacketException e = assertThrows(PacketException.class, () -> codec.validate(p));
        assertEquals(PacketException.SCHEMA_INCOMPATIBLE, e.code());
    }

    private void assertInvalid(String json, String expected) {
        PacketException e = assertThrows(PacketException.class, () -> codec.fromJson(json.getBytes(StandardCharsets.UTF_8)));
        assertEquals(PacketException.INVALID, e.code());
        assertTrue(e.getMessage().contains(expected), () -> "'" + e.getMessage() + "' should mention " + expected);
    }

    @Test
    void signedFilesAreOrdinaryGzipAndATamperedOneIsDetected() throws Exception {
        byte[] json = VALID.getBytes(StandardCharsets.UTF_8);
        String key = SignedFiles.keyOf("node-token", "node-1");
        byte[] file = SignedFiles.write(json, key);
        try (var in = new GZIPInputStream(new ByteArrayInputStream(file))) {
            Assertions.assertArrayEquals(json, in.readAllBytes(), "any GZIP reader reads the packet");
        }
        String signature = SignedFiles.signature(file);
        Assertions.assertTrue(SignedFiles.verify(json, signature, key));
        Assertions.assertFalse(SignedFiles.verify(json, signature,
                SignedFiles.keyOf("another-token", "node-1")), "another node's key");
        byte[] edited = new String(json, StandardCharsets.UTF_8).replace("Roof", "Roof!")
                .getBytes(StandardCharsets.UTF_8);
        Assertions.assertFalse(SignedFiles.verify(edited, signature, key),
                "changed content");
        Assertions.assertNull(SignedFiles.signature(Gzip.compress(edited)),
                "compressed again by hand, the file has no signature");
        Assertions.assertNull(SignedFiles.signature(new byte[] { 1, 2, 3 }));
    }
}
