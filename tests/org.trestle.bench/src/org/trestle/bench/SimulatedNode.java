package org.trestle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.trestle.sync.api.SyncProtocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A node without a database for the load benchmarks: it speaks the protocol over HTTP
 * (binary-free JSON, GZIP), numbers its packets and acknowledges what it receives, so
 * that many of them can load one server from one JVM.
 */
final class SimulatedNode {

    /** The server it talks to; may change between exchanges (several server processes). */
    volatile URI base;
    final String code;
    String nodeId;
    String serverId;
    String token;
    long packetNo;
    long ack;
    long seq;
    long sent;
    /** Changes of other nodes the server delivered in its answers. */
    long received;

    SimulatedNode(URI base, String code) {
        this.base = base;
        this.code = code;
    }

    SimulatedNode register(String enrollmentKey) throws Exception {
        HttpResponse<String> r = BenchClient.HTTP.send(HttpRequest.newBuilder(base.resolve("/api/sync/register"))
                .header("Content-Type", "application/json").header("X-Enrollment-Key", enrollmentKey)
                .POST(HttpRequest.BodyPublishers.ofString("{\"code\": \"" + code + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(2, r.statusCode() / 100, r.body());
        JsonNode a = BenchClient.JSON.readTree(r.body());
        nodeId = a.path("node_id").asText();
        serverId = a.path("server_node_id").asText();
        token = a.path("auth_token").asText();
        return this;
    }

    /** @return a change of this node, numbered: its {@code seq} set, the rest to fill in */
    ObjectNode change(String type, String uuid, String operation) {
        ObjectNode c = BenchClient.JSON.createObjectNode();
        c.put("seq", ++seq).put("entity_type", type).put("entity_uuid", uuid).put("operation", operation)
                .put("updated_at", Instant.now().toString());
        return c;
    }

    /**
     * Sends the changes (made with {@link #change}) in one packet and reads the answer.
     * Any change the server refused is a failure of the benchmark.
     *
     * @return the server's answer
     */
    JsonNode exchange(List<ObjectNode> changes) throws Exception {
        ObjectNode p = BenchClient.JSON.createObjectNode();
        p.put("protocol", 1).put("schema_version", SyncProtocol.SCHEMA_VERSION).put("sender", nodeId)
                .put("target", serverId).put("packet_no", ++packetNo).put("ack", ack)
                .put("created_at", Instant.now().toString()).put("has_more", false);
        ArrayNode list = p.putArray("changes");
        changes.forEach(list::add);
        HttpResponse<byte[]> r = BenchClient.HTTP.send(HttpRequest.newBuilder(base.resolve("/api/sync/exchange"))
                .timeout(Duration.ofMinutes(2)).header("Authorization", "Bearer " + token)
                .header("Content-Type", SyncProtocol.MEDIA_TYPE_PACKET_GZIP)
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(BenchClient.JSON.writeValueAsBytes(p)))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(code + " got " + r.statusCode() + ": " + new String(r.body()));
        }
        JsonNode answer;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
            answer = BenchClient.JSON.readTree(in);
        }
        if (answer.path("error_count").asInt() > 0) {
            throw new IllegalStateException(code + ": change errors " + answer.path("errors"));
        }
        sent += changes.size();
        received += answer.path("packet_data").path("changes").size();
        ack = answer.path("packet_data").path("packet_no").asLong();
        return answer;
    }

    /** Exchanges without changes of its own until the server has nothing more for it. @return the changes received */
    long drain() throws Exception {
        long before = received;
        while (exchange(List.of()).path("packet_data").path("has_more").asBoolean()) {
            // the next packet
        }
        return received - before;
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }
}
