package org.trestle.sync.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import javax.net.ssl.SSLException;

import org.trestle.sync.api.PacketManager;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncProtocol;
import org.trestle.sync.api.SyncStatus;
import org.trestle.sync.api.SyncTransport;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.packet.Wire;
import org.trestle.sync.api.trust.PinnedTrust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The client side of the wire protocol over HTTP(S), the transport of the shipped sync
 * service and of every tool and test that exchanges like it. A self-signed server is
 * trusted by the SHA-256 fingerprint of its certificate, pinned at registration; other
 * servers need a certificate the JDK trusts. Faults of the network or of the server (no
 * connection, a timeout, a 5xx, a cut answer) are {@link SyncStatus#OFFLINE}.
 *
 * @since 0.1
 */
public final class HttpTransport implements SyncTransport {

    /** The largest answer inflated; answers are bounded by the server's batch size. */
    private static final long MAX_ANSWER_BYTES = 256L << 20;
    /** The largest answer read from the wire (compressed, or JSON as sent). */
    private static final int MAX_ANSWER_WIRE_BYTES = 64 << 20;

    /** An answer's status and body, the body read within its bound. */
    private record Reply(int statusCode, byte[] body) {
    }

    private final URI server;
    private final HttpClient http;
    private final Duration timeout;
    private final PacketManager packets;
    private final String token;
    private final boolean compressed;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * A transport that can register; {@link #authenticated} gives one that exchanges.
     *
     * @param server      the server's base URL: {@code https://}, or {@code http://} to this
     *                    computer only ({@link ServerUrl})
     * @param fingerprint the SHA-256 fingerprint of the server's certificate to trust, or
     *                    {@code null} to trust only certificates the JDK trusts
     */
    public HttpTransport(URI server, String fingerprint, Duration timeout, PacketManager packets) {
        this(ServerUrl.parse(server.toString()), buildClient(fingerprint, timeout), timeout, packets, null, true);
    }

    private HttpTransport(URI server, HttpClient http, Duration timeout, PacketManager packets, String token,
            boolean compressed) {
        this.server = server;
        this.http = http;
        this.timeout = timeout;
        this.packets = packets;
        this.token = token;
        this.compressed = compressed;
    }

    private static HttpClient buildClient(String fingerprint, Duration timeout) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1);
        if (fingerprint != null && !fingerprint.isBlank()) {
            builder.sslContext(PinnedTrust.context(fingerprint));
        }
        return builder.build();
    }

    /**
     * @param compressed whether packets go in the binary GZIP form rather than as JSON
     * @return a transport that exchanges with this node's token
     */
    public HttpTransport authenticated(String nodeToken, boolean compressed) {
        return new HttpTransport(server, http, timeout, packets, nodeToken, compressed);
    }

    /** @return the server this transport talks to */
    public URI server() {
        return server;
    }

    /**
     * Registers a node.
     *
     * @param enrollmentKey the server's enrollment key, or {@code null} for an open server
     * @throws SyncException when the server refuses or cannot be reached, with the reason
     */
    public Registration register(String code, String enrollmentKey, String schemaVersion) throws SyncException {
        ObjectNode body = json.createObjectNode().put("code", code).put("name", code).put("schema_version", schemaVersion);
        HttpRequest.Builder request = newRequest(server.resolve(SyncProtocol.API_PREFIX + "/register"))
                .timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (enrollmentKey != null && !enrollmentKey.isBlank()) {
            request.header(SyncProtocol.HEADER_ENROLLMENT_KEY, enrollmentKey);
        }
        Reply response = send(request.build());
        if (response.statusCode() != 201) {
            throw refusal(response, "registration");
        }
        JsonNode answer = parse(response.body());
        Registration r = new Registration(answer.path("node_id").asText(), answer.path("auth_token").asText(),
                answer.path("server_node_id").asText(), answer.path("server_version").asText());
        if (r.nodeId().isEmpty() || r.serverNodeId().isEmpty() || r.authToken().isEmpty()) {
            throw new SyncException(null, "The server's registration answer is incomplete", null);
        }
        return r;
    }

    /**
     * Asks the server for a new token for this node. The old token stays valid on the
     * server until the new one is first used, so a lost answer does not lock the node out.
     *
     * @return the new token
     * @throws SyncException when the server refuses or cannot be reached
     */
    public String rotateToken() throws SyncException {
        if (token == null) {
            throw new IllegalStateException("a rotation needs a transport with the node's token");
        }
        Reply response = send(newRequest(server.resolve(SyncProtocol.API_PREFIX + "/rotate")).timeout(timeout)
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build());
        if (response.statusCode() != 200) {
            throw refusal(response, "token rotation");
        }
        String rotated = parse(response.body()).path("auth_token").asText("");
        if (rotated.isEmpty()) {
            throw new SyncException(null, "The server's answer to the token rotation has no token", null);
        }
        return rotated;
    }

    /**
     * Waits at the server until it holds changes for this node that no packet carried yet
     * ({@code GET /api/sync/wait}, PROTOCOL.md, Push).
     *
     * @param seconds how long the server waits at most, 1 to 60
     * @return how many such changes there are; 0 when the wait timed out
     * @throws SyncException when the server refuses or cannot be reached ({@code null}
     *                       status with the message {@code not_supported} for a server
     *                       without the endpoint)
     */
    public long waitForChanges(int seconds) throws SyncException {
        if (token == null) {
            throw new IllegalStateException("a wait needs a transport with the node's token");
        }
        Reply response = send(newRequest(server.resolve(SyncProtocol.API_PREFIX + "/wait?timeout=" + seconds))
                .timeout(timeout.plusSeconds(seconds)).header("Authorization", "Bearer " + token).GET().build());
        if (response.statusCode() == 404) {
            throw new SyncException(null, NOT_SUPPORTED, null);
        }
        if (response.statusCode() != 200) {
            throw refusal(response, "wait");
        }
        return Math.max(0, parse(response.body()).path("pending_changes").asLong(0));
    }

    /** The message of the exception a server without the wait endpoint causes. */
    public static final String NOT_SUPPORTED = "not_supported";

    /**
     * Reads this node's status from the server, which also confirms that the token is valid
     * (after a rotation, the first use of the new token retires the old one).
     *
     * @return the server's status answer for this node
     */
    public JsonNode status(String nodeId) throws SyncException {
        if (token == null) {
            throw new IllegalStateException("a status request needs a transport with the node's token");
        }
        Reply response = send(newRequest(server.resolve(SyncProtocol.API_PREFIX + "/status/" + nodeId))
                .timeout(timeout).header("Authorization", "Bearer " + token).GET().build());
        if (response.statusCode() != 200) {
            throw refusal(response, "status");
        }
        return parse(response.body());
    }

    @Override
    public Delivery exchange(Packet packet) throws SyncException {
        if (token == null) {
            throw new IllegalStateException("an exchange needs a transport with the node's token");
        }
        byte[] body;
        HttpRequest.Builder request = newRequest(server.resolve(SyncProtocol.API_PREFIX + "/exchange"))
                .timeout(timeout).header("Authorization", "Bearer " + token);
        if (compressed) {
            body = packets.compress(packet);
            request.header("Content-Type", SyncProtocol.MEDIA_TYPE_PACKET_GZIP);
        } else {
            ObjectNode envelope = json.createObjectNode();
            envelope.set("packet_data", packets.toTree(packet));
            body = envelope.toString().getBytes(StandardCharsets.UTF_8);
            request.header("Content-Type", "application/json");
        }
        Reply response = send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        if (response.statusCode() != 200) {
            throw refusal(response, "exchange");
        }
        byte[] raw = response.body();
        try {
            byte[] answer = compressed ? packets.inflate(raw, MAX_ANSWER_BYTES) : raw;
            return new Delivery(packets.answerFromJson(answer, MAX_ANSWER_BYTES), body.length, raw.length);
        } catch (RuntimeException e) {
            // a cut or garbled answer: the exchange is retried later, nothing was applied here
            throw new SyncException(SyncStatus.OFFLINE, "The server's answer could not be read: " + e.getMessage(), e);
        }
    }

    /**
     * A request that says which product version sends it ({@code User-Agent: Trestle/<version>}),
     * which the server keeps for its administrators.
     */
    private static HttpRequest.Builder newRequest(URI uri) {
        return HttpRequest.newBuilder(uri).header("User-Agent", USER_AGENT);
    }

    /** {@code Trestle/} and the version of this bundle, built with the product and carrying its version. */
    static final String USER_AGENT = "Trestle/" + productVersion();

    private static String productVersion() {
        org.osgi.framework.Bundle bundle = org.osgi.framework.FrameworkUtil.getBundle(HttpTransport.class);
        return bundle == null ? "unknown" : bundle.getVersion().toString();
    }

    private Reply send(HttpRequest request) throws SyncException {
        try {
            HttpResponse<java.io.InputStream> streamed = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            byte[] bytes;
            // an answer is read up to its bound, never whole whatever its size
            try (java.io.InputStream in = streamed.body()) {
                bytes = in.readNBytes(MAX_ANSWER_WIRE_BYTES + 1);
            }
            if (bytes.length > MAX_ANSWER_WIRE_BYTES) {
                throw new SyncException(SyncStatus.OFFLINE, "The server's answer is larger than " + MAX_ANSWER_WIRE_BYTES
                        + " bytes; nothing of it was applied", null);
            }
            Reply response = new Reply(streamed.statusCode(), bytes);
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

    private SyncException refusal(Reply response, String what) {
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

    private String message(Reply response) {
        try {
            JsonNode body = parse(response.body());
            return body.path("message").asText(body.toString());
        } catch (SyncException | RuntimeException e) {
            return Wire.abbreviate(new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    private JsonNode parse(byte[] bytes) throws SyncException {
        try {
            return json.readTree(bytes);
        } catch (IOException e) {
            throw new SyncException(SyncStatus.OFFLINE, "The server's answer is not JSON", e);
        }
    }
}
