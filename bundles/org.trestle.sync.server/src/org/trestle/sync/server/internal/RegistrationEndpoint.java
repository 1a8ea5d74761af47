package org.trestle.sync.server.internal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncProtocol;
import org.trestle.sync.api.packet.PacketException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code POST /api/sync/register}: the enrollment key (with a rate limit on wrong keys
 * per address), the request's fields, a new random token whose hash alone is stored,
 * and the node's initial load queued with its row.
 */
final class RegistrationEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(RegistrationEndpoint.class);
    private static final long REGISTER_BODY_LIMIT = 64 * 1024;

    private final ObjectMapper json;
    private final ObjectMapper envelope;
    private final SyncEngine engine;
    private final ServerSettings settings;
    private final String serverVersion;
    private final String enrollmentKey;
    private final Metrics metrics;
    private final EnrollmentGuard guard = new EnrollmentGuard();
    private final String serverId;
    private final FileKeys fileKeys;

    RegistrationEndpoint(ObjectMapper json, ObjectMapper envelope, SyncEngine engine, ServerSettings settings,
            String serverVersion, String enrollmentKey, Metrics metrics, FileKeys fileKeys) {
        this.fileKeys = fileKeys;
        this.json = json;
        this.envelope = envelope;
        this.engine = engine;
        this.settings = settings;
        this.serverVersion = serverVersion;
        this.enrollmentKey = enrollmentKey;
        this.metrics = metrics;
        this.serverId = engine.self().nodeId();
    }

    void register(Request request, Response response, Callback callback) {
        String address = Request.getRemoteAddr(request);
        // the small body is read first, refusal or not: a connection whose request was read
        // whole stays usable for the client's next request
        byte[] raw = Http.body(request, REGISTER_BODY_LIMIT);
        if (!settings.openEnrollment()) {
            long now = System.currentTimeMillis();
            if (!guard.allowed(address, now)) {
                metrics.enrollmentFailures.incrementAndGet();
                throw new ApiError(429, "too_many_attempts",
                        "Too many wrong enrollment keys from this address; wait a minute and try again");
            }
            String key = request.getHeaders().get(SyncProtocol.HEADER_ENROLLMENT_KEY);
            if (!Secrets.matches(key, enrollmentKey)) {
                guard.failed(address, now);
                metrics.enrollmentFailures.incrementAndGet();
                LOG.warn("Registration refused from " + address + ": " + (key == null ? "no" : "a wrong")
                        + " enrollment key");
                throw ApiError.unauthorized("A valid " + SyncProtocol.HEADER_ENROLLMENT_KEY + " header is required");
            }
        }
        JsonNode body;
        try {
            body = envelope.readTree(raw);
        } catch (IOException e) {
            throw ApiError.badRequest("The body is not valid JSON");
        }
        if (body == null || !body.isObject()) {
            throw ApiError.badRequest("The body must be a JSON object with a code");
        }
        String code = text(body, "code", 64, true);
        if (!code.matches("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")) {
            throw ApiError.badRequest("Invalid code: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        String name = text(body, "name", 200, false);
        String description = text(body, "description", 1000, false);
        String schema = text(body, "schema_version", 32, false);
        if (schema != null) {
            int major;
            try {
                major = SyncProtocol.majorVersion(schema);
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("schema_version is not a semantic version");
            }
            if (major != SyncProtocol.majorVersion(settings.schemaVersion())) {
                throw new ApiError(422, PacketException.SCHEMA_INCOMPATIBLE, "Schema version " + schema
                        + " is incompatible with the server's " + settings.schemaVersion());
            }
        }
        String token = Secrets.newToken();
        NodeInfo node;
        try {
            node = engine.administration().registerNode(code, name == null ? code : name, description, schema, Secrets.hash(token));
        } catch (IllegalArgumentException e) {
            throw new ApiError(409, "already_registered", "The node code " + code + " is already registered");
        }
        engine.administration().setSealedFileKey(node.nodeId(),
                fileKeys.seal(node.nodeId(), engine.packetManager().fileKey(token, node.nodeId())));
        metrics.registrations.incrementAndGet();
        LOG.info("Registered node " + code + " (" + node.nodeId() + ") from " + address);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("node_id", node.nodeId());
        answer.put("auth_token", token);
        answer.put("server_version", serverVersion);
        answer.put("server_node_id", serverId);
        ErrorBody.writeJson(json, response, callback, 201, answer);
    }

    /**
     * {@code POST /api/sync/rotate}: the calling node gets a new token. The old one stays
     * valid until the new one is first used, so a lost answer does not lock the node out;
     * asking again with the old token replaces the unused new one.
     */
    void rotate(Request request, Response response, Callback callback, Authentication auth) {
        NodeInfo node = auth.node(request);
        Http.body(request, REGISTER_BODY_LIMIT); // nothing is expected; a body is read and ignored
        String token = Secrets.newToken();
        engine.administration().rotateToken(node.nodeId(), Secrets.hash(token));
        // the node signs its files with a key derived from its token: the new token's key from now on
        engine.administration().setSealedFileKey(node.nodeId(),
                fileKeys.seal(node.nodeId(), engine.packetManager().fileKey(token, node.nodeId())));
        LOG.info("Node " + node.code() + " (" + node.nodeId() + ") rotated its token from " + Request.getRemoteAddr(request));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("node_id", node.nodeId());
        answer.put("auth_token", token);
        ErrorBody.writeJson(json, response, callback, 200, answer);
    }

    private static String text(JsonNode body, String field, int max, boolean required) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiError.badRequest(field + " is missing");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw ApiError.badRequest(field + " must be a string");
        }
        if (v.textValue().length() > max) {
            throw ApiError.badRequest(field + " is longer than " + max + " characters");
        }
        return v.textValue();
    }
}
