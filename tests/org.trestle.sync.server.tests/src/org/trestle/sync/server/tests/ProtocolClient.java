package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A node speaking the protocol over HTTP as a third-party tool would: it registers,
 * numbers its packets, acknowledges the server's and sends Widget changes.
 */
final class ProtocolClient {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    final String code;
    String nodeId;
    String token;
    String serverId;
    long packetNo;
    long lastReceived;
    long seq;
    URI base;
    /** How often each entity uuid arrived in the server's packets. */
    final java.util.Map<String, Integer> received = new java.util.concurrent.ConcurrentHashMap<>();

    private ProtocolClient(URI base, String code) {
        this.base = base;
        this.code = code;
    }

    static ProtocolClient register(URI base, String prefix) throws Exception {
        ProtocolClient c = new ProtocolClient(base, prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
        HttpResponse<String> r = post(base, "/api/sync/register", "test-enrollment-key",
                "{\"code\": \"" + c.code + "\", \"name\": \"Test laptop\", \"schema_version\": \"1.0.0\"}");
        assertEquals(201, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        c.nodeId = body.get("node_id").asText();
        c.token = body.get("auth_token").asText();
        c.serverId = body.get("server_node_id").asText();
        return c;
    }

    static HttpResponse<String> post(URI base, String path, String enrollmentKey, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (enrollmentKey != null) {
            b.header("X-Enrollment-Key", enrollmentKey);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** @return a packet from this node with the given changes, numbered as the next one */
    ObjectNode packet(ArrayNode changes) {
        ObjectNode p = JSON.createObjectNode();
        p.put("protocol", 1).put("schema_version", "1.0.0").put("sender", nodeId).put("target", serverId)
                .put("packet_no", ++packetNo).put("ack", lastReceived).put("created_at", Instant.now().toString())
                .put("has_more", false);
        p.set("changes", changes == null ? JSON.createArrayNode() : changes);
        return p;
    }

    ArrayNode widgets(int count) {
        ArrayNode changes = JSON.createArrayNode();
        for (int i = 0; i < count; i++) {
            ObjectNode c = changes.addObject();
            c.put("seq", ++seq).put("entity_type", "Widget").put("entity_uuid", UUID.randomUUID().toString())
                    .put("operation", "INSERT").put("updated_at", Instant.now().toString());
            c.putObject("data").put("name", code + " widget " + seq).put("qty", (int) seq);
        }
        return changes;
    }

    /** @return one change of an entity of any type, numbered as this node's next */
    ArrayNode change(String type, String uuid, String operation, ObjectNode data) {
        ArrayNode changes = JSON.createArrayNode();
        ObjectNode c = changes.addObject();
        c.put("seq", ++seq).put("entity_type", type).put("entity_uuid", uuid).put("operation", operation)
                .put("updated_at", Instant.now().toString());
        if (data != null) {
            c.set("data", data);
        }
        return changes;
    }

    HttpResponse<String> put(String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends a packet in the JSON object form; reads the server's packet and remembers its number for the ack. */
    JsonNode exchange(ObjectNode packet) throws Exception {
        HttpResponse<String> r = exchangeRaw("{\"packet_data\": " + packet + "}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        lastReceived = Math.max(lastReceived, body.get("packet_data").get("packet_no").asLong());
        for (JsonNode change : body.get("packet_data").get("changes")) {
            received.merge(change.get("entity_uuid").asText(), 1, Integer::sum);
        }
        return body;
    }

    HttpResponse<String> exchangeRaw(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("/api/sync/exchange")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> exchangeGzip(byte[] gzip) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("/api/sync/exchange")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/vnd.sync.packet+gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzip)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
