package org.trestle.sync.client.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLException;

import org.trestle.sync.api.ChangeError;
import org.trestle.sync.api.ConflictReport;
import org.trestle.sync.api.Resolution;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncProtocol;
import org.trestle.sync.api.SyncStatus;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.core.internal.PacketCodec;
import org.trestle.sync.core.internal.Wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The client side of the wire protocol over HTTP(S). A self-signed server is trusted by
 * the SHA-256 fingerprint of its certificate, pinned at registration; other servers
 * need a certificate the JDK trusts. Faults of the network or of the server (no
 * connection, a timeout, a 5xx, a cut answer) are {@link SyncStatus#OFFLINE}.
 */
final class HttpTransport {

    /** The largest answer read, compressed; answers are bounded by the server's batch size. */
    private static final long MAX_ANSWER_BYTES = 256L << 20;

    /** What the server answered to an exchange. */
    record Answer(Packet packet, int processed, int skipped, List<ChangeError> errors, List<ConflictReport> conflicts,
            long bytesSent, long bytesReceived) {
    }

    private final URI server;
    private final HttpClient http;
    private final Duration timeout;
    private final PacketCodec packets;
    private final ObjectMapper json = new ObjectMapper();

    HttpTransport(URI server, String fingerprint, Duration timeout, PacketCodec packets) {
        this.server = server;
        this.timeout = timeout;
        this.packets = packets;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1);
        if (fingerprint != null && !fingerprint.isBlank()) {
            builder.sslContext(PinnedTrust.context(fingerprint));
        }
        this.http = builder.build();
    }

    /** Registers; returns the server's answer (node_id, auth_token, server_node_id, ...). */
    JsonNode register(String code, String enrollmentKey, String schemaVersion) throws SyncException {
        ObjectNode body = json.createObjectNode().put("code", code).put("name", code).put("schema_version", schemaVersion);
        HttpRequest.Builder request = HttpRequest.newBuilder(server.resolve(SyncProtocol.API_PREFIX + "/register"))
                .timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (enrollmentKey != null && !enrollmentKey.isBlank()) {
            request.header(SyncProtocol.HEADER_ENROLLMENT_KEY, enrollmentKey);
        }
        HttpResponse<byte[]> response = send(request.build());
        if (response.statusCode() != 201) {
            throw refusal(response, "registration");
        }
        return parse(response.body());
    }

    Answer exchange(Packet packet, String token, boolean compressed) throws SyncException {
        byte[] body;
        HttpRequest.Builder request = HttpRequest.newBuilder(server.resolve(SyncProtocol.API_PREFIX + "/exchange"))
                .timeout(timeout).header("Authorization", "Bearer " + token);
        if (compressed) {
            body = packets.compress(packet);
            request.header("Content-Type", SyncProtocol.MEDIA_TYPE_PACKET_GZIP);
        } else {
            ObjectNode envelope = json.createObjectNode();
            envelope.set("packet_data", packets.toTree(packet));
            body = envelope.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            request.header("Content-Type", "application/json");
        }
        HttpResponse<byte[]> response = send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        if (response.statusCode() != 200) {
            throw refusal(response, "exchange");
        }
        byte[] raw = response.body();
        JsonNode answer;
        try {
            answer = parse(compressed ? PacketCodec.inflate(raw, MAX_ANSWER_BYTES) : raw);
            Packet down = packets.fromTree(answer.get("packet_data"));
            List<ChangeError> errors = new java.util.ArrayList<>();
            for (JsonNode e : answer.path("errors")) {
                errors.add(new ChangeError(e.path("seq").asLong(), e.path("entity_type").asText(),
                        e.path("entity_uuid").asText(), e.path("error").asText(), e.path("message").asText()));
            }
            List<ConflictReport> conflicts = new java.util.ArrayList<>();
            for (JsonNode c : answer.path("conflicts")) {
                conflicts.add(new ConflictReport(c.path("version_id").asText(), c.path("entity_type").asText(),
                        c.path("entity_uuid").asText(), Resolution.fromWireName(c.path("resolution").asText())));
            }
            return new Answer(down, answer.path("processed_count").asInt(), answer.path("skipped_count").asInt(), errors,
                    conflicts, body.length, raw.length);
        } catch (RuntimeException e) {
            // a cut or garbled answer: the exchange is retried later, nothing was applied here
            throw new SyncException(SyncStatus.OFFLINE, "The server's answer could not be read: " + e.getMessage(), e);
        }
    }

    private HttpResponse<byte[]> send(HttpRequest request) throws SyncException {
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() >= 500) {
                throw new SyncException(SyncStatus.OFFLINE, "The server failed (HTTP " + response.statusCode() + "): "
                        + message(response), null);
            }
            return response;
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new SyncException(SyncStatus.OFFLINE, "The server " + server + " cannot be reached", e);
        } catch (HttpTimeoutException e) {
            throw new SyncException(SyncStatus.OFFLINE, "The server " + server + " did not answer in time", e);
        } catch (SSLException e) {
            throw new SyncException(SyncStatus.OFFLINE, "The server's certificate is not trusted: " + e.getMessage()
                    + " (register with the server's fingerprint)", e);
        } catch (IOException e) {
            throw new SyncException(SyncStatus.OFFLINE, "The connection to " + server + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SyncException(SyncStatus.OFFLINE, "Interrupted", e);
        }
    }

    private SyncException refusal(HttpResponse<byte[]> response, String what) {
        String code = "";
        try {
            code = parse(response.body()).path("error").asText();
        } catch (SyncException | RuntimeException e) {
            // not JSON: the message below says so
        }
        String text = "The server refused the " + what + " (HTTP " + response.statusCode() + "): " + message(response);
        if (response.statusCode() == 401 && "exchange".equals(what)) {
            return new SyncException(SyncStatus.REREGISTER, "The server no longer accepts this node's token: register "
                    + "again", null);
        }
        if ("schema_incompatible".equals(code)) {
            return new SyncException(SyncStatus.INCOMPATIBLE, text, null);
        }
        return new SyncException(null, text, null);
    }

    private String message(HttpResponse<byte[]> response) {
        try {
            JsonNode body = parse(response.body());
            return body.path("message").asText(body.toString());
        } catch (SyncException | RuntimeException e) {
            return Wire.abbreviate(new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private JsonNode parse(byte[] bytes) throws SyncException {
        try {
            return packets.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new SyncException(SyncStatus.OFFLINE, "The server's answer is not JSON", e);
        }
    }

    static String normalize(String fingerprint) {
        return PinnedTrust.normalize(fingerprint);
    }
}
