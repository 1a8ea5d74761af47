package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A sweep of hostile values through every field of a packet, of a change and of an
 * entity's data, over real HTTP. Each is answered per the protocol (a change error in a
 * 200 answer, or a 4xx with an error body), never with a 500 or a stack trace; the
 * counts in a 200 answer add up; and the server keeps serving. Strings full of SQL are
 * stored as they were sent.
 */
class HostileInputTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<String> SQL = List.of("'; DROP TABLE TEST_WIDGET; --", "x' OR '1'='1",
            "\" OR \"\"=\"", "Robert'); DELETE FROM SYNC_NODES; --", "%_\\%", "1; UPDATE SYNC_NODES SET REVOKED = 1",
            "') UNION SELECT TOKEN_HASH FROM SYNC_NODES --", "\\'; --", "/* */ SELECT 1", "::text", "$1", "?",
            "CHAR(39)||CHAR(39)");
    private static final Set<Integer> PROTOCOL_STATUSES = Set.of(200, 400, 413, 422);
    private static URI base;

    @BeforeAll
    static void connect() throws InterruptedException {
        base = RunningServer.uri();
    }

    /** Values that are wrong, or at the edge, for almost any field. */
    private static List<JsonNode> hostileValues() {
        List<JsonNode> v = new ArrayList<>();
        v.add(F.nullNode());
        v.add(F.textNode(""));
        v.add(F.textNode(" "));
        v.add(F.textNode("x".repeat(70_000)));
        v.add(F.textNode("\u0000\u0001\u001b[31m"));
        v.add(F.textNode("\uFFFF\uD83D\uDE00 Ünïcödé ✓"));
        v.add(F.textNode("2026-13-45T99:99:99Z"));
        v.add(F.numberNode(0));
        v.add(F.numberNode(-1));
        v.add(F.numberNode(Long.MAX_VALUE));
        v.add(F.numberNode(Long.MIN_VALUE));
        v.add(F.numberNode(new BigInteger("9".repeat(400))));
        v.add(F.numberNode(new BigDecimal("1E+400")));
        v.add(F.numberNode(new BigDecimal("-1.5E-400")));
        v.add(F.numberNode(1.5));
        v.add(F.booleanNode(true));
        v.add(F.arrayNode().add(1).add("two"));
        v.add(F.objectNode().put("nested", F.objectNode().toString()));
        for (String s : SQL) {
            v.add(F.textNode(s));
        }
        return v;
    }

    @Test
    void everyFieldOfAPacketRefusesHostileValuesPerTheProtocol() throws Exception {
        ProtocolClient c = ProtocolClient.register(base, "sweep");
        List<String> packetFields = List.of("protocol", "schema_version", "sender", "target", "packet_no", "ack",
                "created_at", "has_more", "changes");
        List<String> changeFields = List.of("seq", "entity_type", "entity_uuid", "operation", "updated_at", "data",
                "changed", "base", "resolves");
        List<String> dataFields = List.of("name", "qty", "colour");
        int tried = 0;
        Map<String, Integer> answers = new TreeMap<>();
        for (JsonNode value : hostileValues()) {
            for (String field : packetFields) {
                // a huge packet number, once accepted, leaves its node no number to go on with: a node of its own
                ProtocolClient sender = "packet_no".equals(field) ? ProtocolClient.register(base, "sweep-no") : c;
                ObjectNode p = sender.packet(sender.widgets(1));
                p.set(field, value);
                answers.merge(check(sender, p, "packet." + field + "=" + brief(value)), 1, Integer::sum);
                tried++;
            }
            for (String field : changeFields) {
                ProtocolClient sender = "seq".equals(field) ? ProtocolClient.register(base, "sweep-seq") : c;
                ArrayNode changes = sender.widgets(2);
                ((ObjectNode) changes.get(0)).set(field, value);
                answers.merge(check(sender, sender.packet(changes), "change." + field + "=" + brief(value)), 1,
                        Integer::sum);
                tried++;
            }
            for (String field : dataFields) {
                ArrayNode changes = c.widgets(2);
                ((ObjectNode) changes.get(0).get("data")).set(field, value);
                answers.merge(check(c, c.packet(changes), "data." + field + "=" + brief(value)), 1, Integer::sum);
                tried++;
            }
        }
        // a reference to an entity nobody has, an unknown type and a delete of nothing: not crashes
        for (String type : List.of("Widget", "NoSuchType", "widget", "SYNC_NODES")) {
            ArrayNode changes = c.widgets(1);
            ((ObjectNode) changes.get(0)).put("entity_type", type).put("operation", "DELETE")
                    .put("entity_uuid", UUID.randomUUID().toString());
            answers.merge(check(c, c.packet(changes), "delete of " + type), 1, Integer::sum);
            tried++;
        }
        System.out.println("HOSTILE " + tried + " hostile packets, answers by status " + answers);
        assertTrue(answers.getOrDefault("200", 0) > 0 && answers.getOrDefault("422", 0) > 0,
                "both per-change errors and refused packets were met: " + answers);
        assertEquals(1, c.exchange(c.packet(c.widgets(1))).get("processed_count").asInt(), "and it still serves");
    }

    /** Sends a packet; asserts the answer follows the protocol. @return the status, as text */
    private static String check(ProtocolClient c, ObjectNode packet, String what) throws Exception {
        int changes = packet.path("changes").isArray() ? packet.path("changes").size() : -1;
        HttpResponse<String> r = c.exchangeRaw("{\"packet_data\": " + packet + "}");
        assertTrue(PROTOCOL_STATUSES.contains(r.statusCode()), what + ": status " + r.statusCode() + " " + r.body());
        assertFalse(r.body().contains("Exception") || r.body().contains("\tat "), what + ": no stack trace: " + r.body());
        JsonNode body = ProtocolClient.JSON.readTree(r.body());
        if (r.statusCode() == 200) {
            c.lastReceived = Math.max(c.lastReceived, body.path("packet_data").path("packet_no").asLong());
            int accounted = body.path("processed_count").asInt() + body.path("skipped_count").asInt()
                    + body.path("error_count").asInt();
            assertEquals(changes, accounted, what + ": every change is processed, skipped or an error: " + body);
            assertEquals(body.path("error_count").asInt(), body.path("errors").size(), what);
            for (JsonNode e : body.path("errors")) {
                assertFalse(e.path("error").asText().isBlank() || e.path("message").asText().isBlank(), what + ": " + e);
            }
        } else {
            assertFalse(body.path("error").asText().isBlank() || body.path("message").asText().isBlank(),
                    what + ": an error body: " + r.body());
        }
        return String.valueOf(r.statusCode());
    }

    private static String brief(JsonNode v) {
        String s = v.toString();
        return s.length() > 40 ? s.substring(0, 40) + "…(" + s.length() + ")" : s;
    }

    @Test
    void stringsFullOfSqlAreStoredAsSentAndReachOtherNodesUnchanged() throws Exception {
        ProtocolClient writer = ProtocolClient.register(base, "sql-writer");
        ProtocolClient reader = ProtocolClient.register(base, "sql-reader");
        ArrayNode changes = writer.widgets(SQL.size());
        Map<String, String> sent = new TreeMap<>();
        for (int i = 0; i < SQL.size(); i++) {
            ObjectNode ch = (ObjectNode) changes.get(i);
            ((ObjectNode) ch.get("data")).put("name", SQL.get(i));
            sent.put(ch.get("entity_uuid").asText(), SQL.get(i));
        }
        JsonNode answer = writer.exchange(writer.packet(changes));
        assertEquals(SQL.size(), answer.get("processed_count").asInt(), answer::toString);
        Map<String, String> received = new TreeMap<>();
        for (int round = 0; round < 200 && received.size() < sent.size(); round++) {
            JsonNode down = reader.exchange(reader.packet(null));
            for (JsonNode ch : down.get("packet_data").get("changes")) {
                if (sent.containsKey(ch.get("entity_uuid").asText())) {
                    received.put(ch.get("entity_uuid").asText(), ch.get("data").get("name").asText());
                }
            }
            if (!down.get("packet_data").get("has_more").asBoolean() && down.get("packet_data").get("changes").isEmpty()) {
                break;
            }
        }
        assertEquals(sent, received, "every name arrives exactly as it was written");
    }

    /** Out-of-order and replayed packet numbers change nothing; another node's packet is refused. */
    @Test
    void oldAndReplayedPacketNumbersChangeNothing() throws Exception {
        ProtocolClient c = ProtocolClient.register(base, "order");
        ProtocolClient other = ProtocolClient.register(base, "order-other");
        c.packetNo = 9;
        JsonNode tenth = c.exchange(c.packet(c.widgets(2)));
        assertEquals(2, tenth.get("processed_count").asInt(), "a gap in the numbers is allowed");
        c.packetNo = 4;
        JsonNode fifth = c.exchange(c.packet(c.widgets(2)));
        assertEquals(0, fifth.get("processed_count").asInt(), "an older number is answered, not applied");
        assertEquals(2, fifth.get("skipped_count").asInt());
        ObjectNode theirs = other.packet(other.widgets(1));
        HttpResponse<String> replayed = c.exchangeRaw("{\"packet_data\": " + theirs + "}");
        assertEquals(422, replayed.statusCode(), replayed.body());
        assertEquals("invalid_packet", ProtocolClient.JSON.readTree(replayed.body()).get("error").asText());
    }

    /** Guessing the enrollment key: after ten wrong keys from one address, that address waits; each refusal is counted. */
    @Test
    void enrollmentKeyGuessingIsRateLimited() throws Exception {
        Path work = Files.createTempDirectory("trestle-guess");
        try (ServerProcess server = new ServerProcess(work.resolve("server"), work)) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 14; i++) {
                statuses.add(ProtocolClient.post(server.url, "/api/sync/register", "guess-" + i,
                        "{\"code\": \"GUESS-" + i + "\"}").statusCode());
            }
            assertEquals(List.of(401, 401, 401, 401, 401, 401, 401, 401, 401, 401), statuses.subList(0, 10), statuses::toString);
            assertTrue(statuses.subList(10, 14).stream().allMatch(s -> s == 429), statuses::toString);
            HttpResponse<String> right = ProtocolClient.post(server.url, "/api/sync/register", "test-enrollment-key",
                    "{\"code\": \"AFTER-GUESSING\"}");
            assertEquals(429, right.statusCode(), "even the right key waits while the address is held off");
            HttpResponse<String> metrics = TestLaptop.HTTP.send(HttpRequest.newBuilder(server.url.resolve("/api/admin/metrics"))
                    .header("Authorization", "Bearer test-admin-token").GET().build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(metrics.body().contains("trestle_enrollment_failures_total 15"), metrics.body());
            String log = ServerProcess.read(work.resolve("server-0.log"));
            assertTrue(log.contains("127.0.0.1"), "refusals are logged with the address: " + log);
        }
    }
}
