package org.trestle.sync.server.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLTransactionRollbackException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.trestle.sync.api.ChangeError;
import org.trestle.sync.api.ConflictRecord;
import org.trestle.sync.api.ConflictReport;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.SyncProtocol;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.packet.PacketException;
import org.trestle.sync.core.internal.NodeEngine;
import org.trestle.sync.core.internal.PacketCodec;
import org.trestle.sync.core.internal.Wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The protocol's endpoints and the administrator's. Every answer is JSON (metrics
 * excepted, which are Prometheus text); unknown paths answer 404 and known paths with
 * another method 405 with {@code Allow}.
 */
final class ApiHandler extends Handler.Abstract {

    private static final Logger LOG = Logger.getLogger(ApiHandler.class.getName());
    private static final String ADMIN = "/api/admin/";
    private static final long REGISTER_BODY_LIMIT = 64 * 1024;

    private final ObjectMapper json;
    private final ObjectMapper envelope;
    private final NodeEngine engine;
    private final PacketCodec packets;
    private final ServerSettings settings;
    private final String serverVersion;
    private final String enrollmentKey;
    private final String adminToken;
    private final Metrics metrics = new Metrics();
    private final EnrollmentGuard guard = new EnrollmentGuard();
    private final UpdateSite updates;

    ApiHandler(ObjectMapper json, NodeEngine engine, ServerSettings settings, String serverVersion, String enrollmentKey,
            String adminToken) {
        this.json = json;
        this.engine = engine;
        this.packets = (PacketCodec) engine.packetManager();
        this.settings = settings;
        this.serverVersion = serverVersion;
        this.enrollmentKey = enrollmentKey;
        this.adminToken = adminToken;
        this.updates = new UpdateSite(settings.updatesDirectory());
        // the envelope of a JSON exchange may hold the whole packet as one hex string
        JsonFactory factory = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(PacketCodec.MAX_NESTING).maxNumberLength(100)
                .maxStringLength((int) Math.min(Integer.MAX_VALUE - 16, settings.maxBodyBytes() * 2)).build()).build();
        this.envelope = new ObjectMapper(factory);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        try {
            if (SyncProtocol.HEALTH_PATH.equals(path)) {
                allow(method, "GET", "HEAD");
                health(response, callback);
            } else if ((SyncProtocol.API_PREFIX + "/register").equals(path)) {
                allow(method, "POST");
                register(request, response, callback);
            } else if ((SyncProtocol.API_PREFIX + "/exchange").equals(path)) {
                allow(method, "POST");
                exchange(request, response, callback);
            } else if (path.startsWith(SyncProtocol.API_PREFIX + "/status/")) {
                allow(method, "GET");
                status(request, path.substring((SyncProtocol.API_PREFIX + "/status/").length()), response, callback);
            } else if (path.startsWith(ADMIN)) {
                admin(request, path.substring(ADMIN.length()), method, response, callback);
            } else if (path.equals("/updates") || path.startsWith("/updates/")) {
                allow(method, "GET", "HEAD");
                updates.serve(path.substring("/updates".length()), "HEAD".equals(method), response, callback);
            } else {
                throw ApiError.notFound("No endpoint at " + Wire.abbreviate(path));
            }
        } catch (ApiError e) {
            if (e.allow != null) {
                response.getHeaders().put(HttpHeader.ALLOW, e.allow);
            }
            if (e.status == 413) {
                // the rest of the refused body is never read: the connection cannot carry another request
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            ErrorBody.writeError(json, response, callback, e.status, e.code, e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Request " + method + " " + Wire.abbreviate(path) + " failed", e);
            ErrorBody.writeError(json, response, callback, 500, "internal_error", "The server could not handle the request");
        }
        return true;
    }

    private static void allow(String method, String... methods) {
        for (String m : methods) {
            if (m.equals(method)) {
                return;
            }
        }
        throw ApiError.methodNotAllowed(method, methods);
    }

    // ------------------------------------------------------------------ sync

    private void health(Response response, Callback callback) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ok");
        body.put("server_version", serverVersion);
        body.put("schema_version", settings.schemaVersion());
        ErrorBody.writeJson(json, response, callback, 200, body);
    }

    private void register(Request request, Response response, Callback callback) {
        String address = Request.getRemoteAddr(request);
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
                LOG.warning("Registration refused from " + address + ": " + (key == null ? "no" : "a wrong")
                        + " enrollment key");
                throw ApiError.unauthorized("A valid " + SyncProtocol.HEADER_ENROLLMENT_KEY + " header is required");
            }
        }
        JsonNode body;
        try {
            body = envelope.readTree(Http.body(request, REGISTER_BODY_LIMIT));
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
            node = engine.registerNode(code, name == null ? code : name, description, schema, Secrets.hash(token));
        } catch (IllegalArgumentException e) {
            throw new ApiError(409, "already_registered", "The node code " + code + " is already registered");
        }
        metrics.registrations.incrementAndGet();
        LOG.info("Registered node " + code + " (" + node.nodeId() + ") from " + address);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("node_id", node.nodeId());
        answer.put("auth_token", token);
        answer.put("server_version", serverVersion);
        answer.put("server_node_id", engine.selfId());
        ErrorBody.writeJson(json, response, callback, 201, answer);
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

    private NodeInfo authenticate(Request request) {
        return authenticate(request, false);
    }

    /** @param withPending whether the caller's pending-change count is needed (the status endpoint) */
    private NodeInfo authenticate(Request request, boolean withPending) {
        String token = Http.bearer(request);
        if (token == null) {
            throw ApiError.unauthorized("An Authorization: Bearer <token> header is required");
        }
        Optional<NodeInfo> node = engine.nodeByTokenHash(Secrets.hash(token), withPending);
        if (node.isEmpty()) {
            throw ApiError.unauthorized("The token is not valid (unknown or revoked); register the node again");
        }
        return node.get();
    }

    private void exchange(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        NodeInfo node = authenticate(request);
        try {
            String type = Http.mediaType(request);
            boolean gzipForm = SyncProtocol.MEDIA_TYPE_PACKET_GZIP.equals(type);
            if (!gzipForm && !"application/json".equals(type)) {
                throw new ApiError(415, "unsupported_media_type",
                        "Send application/json or " + SyncProtocol.MEDIA_TYPE_PACKET_GZIP);
            }
            byte[] body = Http.body(request, settings.maxBodyBytes());
            metrics.bytesIn.addAndGet(body.length);
            boolean hexAnswer = false;
            Packet packet;
            if (gzipForm) {
                packet = packets.decompress(body, settings.maxInflatedBytes());
            } else {
                JsonNode root;
                try {
                    root = envelope.readTree(body);
                } catch (IOException e) {
                    throw new PacketException(PacketException.INVALID, "the body is not valid JSON");
                }
                JsonNode data = root == null ? null : root.get("packet_data");
                if (data != null && data.isTextual()) {
                    hexAnswer = true;
                    byte[] gz;
                    try {
                        gz = HexFormat.of().parseHex(data.textValue());
                    } catch (IllegalArgumentException e) {
                        throw new PacketException(PacketException.INVALID, "packet_data is not hex");
                    }
                    packet = packets.decompress(gz, settings.maxInflatedBytes());
                } else if (data != null && data.isObject()) {
                    packet = packets.fromTree(data);
                } else {
                    throw new PacketException(PacketException.INVALID,
                            "packet_data is missing: give the packet as an object or as hex of its GZIP");
                }
            }
            if (packet.changes().size() > settings.maxChanges()) {
                throw new PacketException(PacketException.TOO_LARGE,
                        "the packet holds more than " + settings.maxChanges() + " changes");
            }
            if (!node.nodeId().equals(packet.sender())) {
                throw new PacketException(PacketException.INVALID, "the packet's sender is not the node of this token");
            }
            if (!engine.selfId().equals(packet.target())) {
                throw new PacketException(PacketException.INVALID, "the packet's target is not this server");
            }
            ProcessResult result = processWithRetries(packet, node);
            Packet answer = engine.buildPacket(node.nodeId());
            metrics.changesApplied.addAndGet(result.processed());
            metrics.changesSkipped.addAndGet(result.skipped());
            metrics.conflicts.addAndGet(result.conflicts().size());
            metrics.errors.addAndGet(result.errors().size());
            metrics.changesSent.addAndGet(answer.changes().size());
            ObjectNode out = json.createObjectNode();
            out.put("success", true);
            if (hexAnswer) {
                out.put("packet_data", HexFormat.of().formatHex(packets.compress(answer)));
            } else {
                out.set("packet_data", packets.toTree(answer));
            }
            out.put("processed_count", result.processed());
            out.put("skipped_count", result.skipped());
            out.put("error_count", result.errors().size());
            out.put("conflict_count", result.conflicts().size());
            ArrayNode errors = out.putArray("errors");
            for (ChangeError e : result.errors()) {
                errors.addObject().put("seq", e.seq()).put("entity_type", e.entityType()).put("entity_uuid", e.entityUuid())
                        .put("error", e.error()).put("message", e.message());
            }
            ArrayNode conflicts = out.putArray("conflicts");
            for (ConflictReport c : result.conflicts()) {
                conflicts.addObject().put("version_id", c.versionId()).put("entity_type", c.entityType())
                        .put("entity_uuid", c.entityUuid()).put("resolution", c.resolution().wireName());
            }
            out.put("message", result.errors().isEmpty() ? "Sync completed successfully"
                    : "Sync completed with " + result.errors().size() + " change errors");
            byte[] bytes;
            if (gzipForm) {
                bytes = PacketCodec.gzip(json.writeValueAsBytes(out));
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, SyncProtocol.MEDIA_TYPE_PACKET_GZIP);
            } else {
                bytes = json.writeValueAsBytes(out);
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, ErrorBody.JSON);
            }
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            metrics.bytesOut.addAndGet(bytes.length);
            metrics.exchanges.incrementAndGet();
            metrics.observeExchange(System.nanoTime() - start);
            response.write(true, ByteBuffer.wrap(bytes), callback);
        } catch (PacketException e) {
            metrics.exchangeFailures.incrementAndGet();
            int status = PacketException.TOO_LARGE.equals(e.code()) ? 413 : 422;
            LOG.info("Exchange of node " + node.code() + " refused: " + e.getMessage());
            throw new ApiError(status, e.code(), e.getMessage());
        } catch (ApiError e) {
            metrics.exchangeFailures.incrementAndGet();
            throw e;
        } catch (IOException e) {
            metrics.exchangeFailures.incrementAndGet();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A file a node exported (one GZIP packet) is applied as if the node had sent it;
     * the answer is the server's packet for that node, to be imported there.
     */
    private void importFile(Request request, Response response, Callback callback) {
        byte[] body = Http.body(request, settings.maxBodyBytes());
        Packet packet;
        byte[] json;
        try {
            json = PacketCodec.inflate(body, settings.maxInflatedBytes());
            packet = packets.fromJson(json);
        } catch (PacketException e) {
            throw new ApiError(PacketException.TOO_LARGE.equals(e.code()) ? 413 : 422, e.code(),
                    "Not a valid sync file: " + e.getMessage());
        }
        NodeInfo node = engine.node(packet.sender()).filter(n -> !n.self() && !n.revoked())
                .orElseThrow(() -> new ApiError(422, PacketException.INVALID, "The file's sender is not a registered node"));
        String key = engine.tokenHashOf(node.nodeId())
                .orElseThrow(() -> new ApiError(422, PacketException.INVALID, "The file's sender has no token"));
        String signature = org.trestle.sync.core.internal.SignedFiles.signature(body);
        if (signature == null) {
            throw new ApiError(422, "invalid_signature", "The file is not signed; files exported by a node carry a"
                    + " signature. Nothing was imported.");
        }
        if (!org.trestle.sync.core.internal.SignedFiles.verify(json, signature, key)) {
            LOG.warning("Refused a file of node " + node.code() + ": its signature does not match");
            throw new ApiError(422, "invalid_signature", "The file does not match its signature: it was changed after "
                    + node.code() + " exported it. Nothing was imported.");
        }
        ProcessResult result;
        try {
            result = processWithRetries(packet, node);
        } catch (PacketException e) {
            throw new ApiError(422, e.code(), e.getMessage());
        }
        Packet answer = engine.buildPacket(node.nodeId());
        LOG.info("Imported a file of node " + node.code() + ": " + result.processed() + " applied, " + result.errors().size()
                + " refused");
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, SyncProtocol.MEDIA_TYPE_PACKET_GZIP);
        response.getHeaders().put("X-Trestle-Processed", result.processed());
        response.getHeaders().put("X-Trestle-Errors", result.errors().size());
        response.getHeaders().put("X-Trestle-Conflicts", result.conflicts().size());
        response.write(true, ByteBuffer.wrap(org.trestle.sync.core.internal.SignedFiles.write(packets.toJson(answer), key)),
                callback);
    }

    private ProcessResult processWithRetries(Packet packet, NodeInfo node) {
        for (int attempt = 0;; attempt++) {
            try {
                return engine.processPacket(packet);
            } catch (RuntimeException e) {
                if (attempt >= settings.maxRetries() || !isTransient(e)) {
                    throw e;
                }
                LOG.warning("Packet " + packet.packetNo() + " of node " + node.code() + " met a transient database "
                        + "failure; applying it again (" + (attempt + 1) + "/" + settings.maxRetries() + ")");
            }
        }
    }

    private static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransactionRollbackException) {
                return true;
            }
        }
        return false;
    }

    private void status(Request request, String nodeId, Response response, Callback callback) {
        NodeInfo caller = authenticate(request, true);
        if (!caller.nodeId().equals(nodeId)) {
            if (engine.node(nodeId).isPresent()) {
                throw ApiError.forbidden("A node may read its own status only");
            }
            throw ApiError.notFound("No node " + Wire.abbreviate(nodeId));
        }
        NodeInfo self = caller; // authentication already read the caller's row, counters included
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("node_id", self.nodeId());
        body.put("node_code", self.code());
        body.put("last_sync_in", Wire.format(self.lastSyncIn()));
        body.put("last_sync_out", Wire.format(self.lastSyncOut()));
        body.put("pending_changes", self.pendingChanges());
        body.put("sent_packet_no", self.sentPacketNo());
        body.put("received_packet_no", self.receivedPacketNo());
        ErrorBody.writeJson(json, response, callback, 200, body);
    }

    // ------------------------------------------------------------------ administration

    private void admin(Request request, String rest, String method, Response response, Callback callback) {
        String token = Http.bearer(request);
        if (token == null) {
            throw ApiError.unauthorized("An Authorization: Bearer <admin token> header is required");
        }
        if (!Secrets.matches(token, adminToken)) {
            if (engine.nodeByTokenHash(Secrets.hash(token)).isPresent()) {
                throw ApiError.forbidden("A node token cannot administer the server");
            }
            throw ApiError.unauthorized("The admin token is not valid");
        }
        Fields query = Request.extractQueryParameters(request);
        String type = query.getValue("entity_type");
        String uuid = query.getValue("entity_uuid");
        if ("nodes".equals(rest)) {
            allow(method, "GET");
            ArrayNode nodes = json.createArrayNode();
            for (NodeInfo n : engine.nodes()) {
                if (n.self()) {
                    continue;
                }
                nodes.addObject().put("node_id", n.nodeId()).put("code", n.code()).put("name", n.name())
                        .put("revoked", n.revoked()).put("last_sync_in", Wire.format(n.lastSyncIn()))
                        .put("last_sync_out", Wire.format(n.lastSyncOut())).put("pending_changes", n.pendingChanges())
                        .put("sent_packet_no", n.sentPacketNo()).put("received_packet_no", n.receivedPacketNo());
            }
            ErrorBody.writeJson(json, response, callback, 200, json.createObjectNode().set("nodes", nodes));
        } else if ("conflicts".equals(rest)) {
            allow(method, "GET");
            ArrayNode list = json.createArrayNode();
            for (ConflictRecord c : engine.openConflicts()) {
                if ((type == null || type.equals(c.entityType())) && (uuid == null || uuid.equals(c.entityUuid()))) {
                    ObjectNode o = list.addObject().put("version_id", c.versionId()).put("entity_type", c.entityType())
                            .put("entity_uuid", c.entityUuid()).put("source_node", c.sourceNode())
                            .put("arrived_at", Wire.format(c.arrivedAt())).put("resolution", c.resolution().wireName());
                    o.set("data", c.data());
                    o.set("server_data", c.otherData());
                }
            }
            ErrorBody.writeJson(json, response, callback, 200, json.createObjectNode().set("conflicts", list));
        } else if ("errors".equals(rest)) {
            allow(method, "GET");
            ArrayNode list = json.createArrayNode();
            for (ChangeError e : engine.deadLetters()) {
                if ((type == null || type.equals(e.entityType())) && (uuid == null || uuid.equals(e.entityUuid()))) {
                    list.addObject().put("seq", e.seq()).put("entity_type", e.entityType())
                            .put("entity_uuid", e.entityUuid()).put("error", e.error()).put("message", e.message());
                }
            }
            ErrorBody.writeJson(json, response, callback, 200, json.createObjectNode().set("errors", list));
        } else if (rest.startsWith("nodes/") && rest.endsWith("/revoke")) {
            allow(method, "POST");
            String id = rest.substring("nodes/".length(), rest.length() - "/revoke".length());
            Optional<NodeInfo> node = engine.node(id);
            if (node.isEmpty() || node.get().self()) {
                throw ApiError.notFound("No node " + Wire.abbreviate(id));
            }
            engine.revokeNode(id);
            LOG.warning("Node " + node.get().code() + " (" + id + ") revoked by an administrator");
            ErrorBody.writeJson(json, response, callback, 200,
                    json.createObjectNode().put("node_id", id).put("code", node.get().code()).put("revoked", true));
        } else if ("import".equals(rest)) {
            allow(method, "POST");
            importFile(request, response, callback);
        } else if ("backup".equals(rest)) {
            allow(method, "POST");
            backup(response, callback);
        } else if ("metrics".equals(rest)) {
            allow(method, "GET");
            // counts, not lists: a scrape every few seconds must not load every node, conflict and error
            String text = metrics.render(engine.peerCount(), engine.openConflictCount(), engine.deadLetterCount());
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            response.write(true, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), callback);
        } else {
            throw ApiError.notFound("No administration endpoint at " + Wire.abbreviate(rest));
        }
    }

    /**
     * An online backup of the server's database into DATA/backups/TIMESTAMP, taken while
     * nodes keep exchanging. The folder is chosen here, never by the request.
     */
    private void backup(Response response, Callback callback) {
        java.nio.file.Path root = settings.dataDirectory().resolve("backups");
        String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
        java.nio.file.Path target = root.resolve(stamp);
        long started = System.nanoTime();
        java.nio.file.Path copy;
        synchronized (this) {
            copy = engine.backup(target);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        long bytes;
        try (var files = java.nio.file.Files.walk(copy)) {
            bytes = files.filter(java.nio.file.Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (java.io.IOException e) {
            bytes = -1;
        }
        LOG.info("Online backup written to " + copy + " (" + bytes + " bytes, " + millis + " ms)");
        ErrorBody.writeJson(json, response, callback, 200, json.createObjectNode().put("backup", copy.toString())
                .put("bytes", bytes).put("duration_ms", millis)
                .put("restore", "stop the server, move " + engine.databaseFolder() + " aside, copy " + copy
                        + " in its place, start the server"));
    }
}
