package org.trestle.sync.server.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.BiConsumer;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.AdminToken;
import org.trestle.sync.api.NodeCounts;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.NodeScope;
import org.trestle.sync.api.PruneReport;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.packet.Wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code /api/admin/...} with an admin token: nodes, open conflicts, changes kept aside,
 * revocation, admin tokens, file import, online backups, pruning the sync log and metrics.
 */
final class AdminEndpoints {

    private static final Logger LOG = LoggerFactory.getLogger(AdminEndpoints.class);
    /** Conflicts or errors in one answer unless {@code limit} asks for fewer or more. */
    static final int DEFAULT_PAGE = 500;
    static final int MAX_PAGE = 5000;

    private final ObjectMapper json;
    private final SyncEngine engine;
    private final ServerSettings settings;
    private final Authentication auth;
    private final ExchangeEndpoint exchanges;
    private final Metrics metrics;
    private final Backups backups;

    AdminEndpoints(ObjectMapper json, SyncEngine engine, ServerSettings settings, Authentication auth,
            ExchangeEndpoint exchanges, Metrics metrics) {
        this.json = json;
        this.engine = engine;
        this.settings = settings;
        this.auth = auth;
        this.exchanges = exchanges;
        this.metrics = metrics;
        this.backups = new Backups(json, engine, settings);
    }

    void handle(Request request, String rest, String method, Response response, Callback callback) {
        String by = auth.admin(request);
        Fields query = Request.extractQueryParameters(request);
        String type = query.getValue("entity_type");
        String uuid = query.getValue("entity_uuid");
        if ("nodes".equals(rest)) {
            ApiHandler.allow(method, "GET");
            ArrayNode nodes = json.createArrayNode();
            for (NodeInfo n : engine.syncManager().nodes()) {
                if (n.self()) {
                    continue;
                }
                nodes.addObject().put("node_id", n.nodeId()).put("code", n.code()).put("name", n.name())
                        .put("revoked", n.revoked()).put("last_sync_in", Wire.format(n.lastSyncIn()))
                        .put("last_sync_out", Wire.format(n.lastSyncOut())).put("pending_changes", n.pendingChanges())
                        .put("sent_packet_no", n.sentPacketNo()).put("received_packet_no", n.receivedPacketNo())
                        .put("product_version", n.productVersion()).set("types", json.valueToTree(n.typeVersions()));
            }
            ErrorBody.writeJson(json, response, callback, 200, json.createObjectNode().set("nodes", nodes));
        } else if ("conflicts".equals(rest)) {
            ApiHandler.allow(method, "GET");
            int offset = number(query, "offset", 0, Integer.MAX_VALUE, 0);
            int limit = number(query, "limit", 1, MAX_PAGE, DEFAULT_PAGE);
            // one more than asked says whether a next page exists
            writePage("conflicts", engine.conflictResolver().openConflicts(type, uuid, offset, limit + 1), offset, limit,
                    (list, c) -> {
                        ObjectNode o = list.addObject().put("version_id", c.versionId()).put("entity_type", c.entityType())
                                .put("entity_uuid", c.entityUuid()).put("source_node", c.sourceNode())
                                .put("arrived_at", Wire.format(c.arrivedAt())).put("resolution", c.resolution().wireName());
                        o.set("data", c.data());
                        o.set("server_data", c.otherData());
                    }, response, callback);
        } else if ("errors".equals(rest)) {
            ApiHandler.allow(method, "GET");
            int offset = number(query, "offset", 0, Integer.MAX_VALUE, 0);
            int limit = number(query, "limit", 1, MAX_PAGE, DEFAULT_PAGE);
            writePage("errors", engine.administration().deadLetters(type, uuid, offset, limit + 1), offset, limit,
                    (list, e) -> list.addObject().put("seq", e.seq()).put("entity_type", e.entityType())
                            .put("entity_uuid", e.entityUuid()).put("error", e.error()).put("message", e.message()),
                    response, callback);
        } else if ("tokens".equals(rest)) {
            ApiHandler.allow(method, "GET", "POST");
            if ("GET".equals(method)) {
                ArrayNode list = json.createArrayNode();
                for (AdminToken t : engine.administration().adminTokens()) {
                    list.addObject().put("name", t.name()).put("created_at", Wire.format(t.createdAt()))
                            .put("revoked", t.revoked()).put("revoked_at", Wire.format(t.revokedAt()));
                }
                ErrorBody.writeJson(json, response, callback, 200, json.createObjectNode().set("tokens", list));
            } else {
                createToken(request, by, response, callback);
            }
        } else if (rest.startsWith("tokens/") && rest.endsWith("/revoke")) {
            ApiHandler.allow(method, "POST");
            String name = rest.substring("tokens/".length(), rest.length() - "/revoke".length());
            AdminToken revoked;
            try {
                revoked = engine.administration().revokeAdminToken(name);
            } catch (NoSuchElementException e) {
                throw ApiError.notFound("No admin token named " + Wire.abbreviate(name));
            } catch (IllegalStateException e) {
                throw new ApiError(409, "last_admin_token", e.getMessage());
            }
            LOG.warn("Admin token " + name + " revoked by an administrator (token " + by + ")");
            ErrorBody.writeJson(json, response, callback, 200, json.createObjectNode().put("name", revoked.name())
                    .put("revoked", true).put("revoked_at", Wire.format(revoked.revokedAt())));
        } else if (rest.startsWith("nodes/") && rest.endsWith("/scope")) {
            ApiHandler.allow(method, "GET", "PUT");
            scope(request, by, rest.substring("nodes/".length(), rest.length() - "/scope".length()), method, response,
                    callback);
        } else if (rest.startsWith("nodes/") && rest.endsWith("/revoke")) {
            ApiHandler.allow(method, "POST");
            String id = rest.substring("nodes/".length(), rest.length() - "/revoke".length());
            Optional<NodeInfo> node = engine.syncManager().node(id);
            if (node.isEmpty() || node.get().self()) {
                throw ApiError.notFound("No node " + Wire.abbreviate(id));
            }
            engine.administration().revoke(id);
            LOG.warn("Node " + node.get().code() + " (" + id + ") revoked by an administrator (token " + by + ")");
            ErrorBody.writeJson(json, response, callback, 200,
                    json.createObjectNode().put("node_id", id).put("code", node.get().code()).put("revoked", true));
        } else if (rest.startsWith("nodes/") && rest.endsWith("/release")) {
            ApiHandler.allow(method, "POST");
            String id = rest.substring("nodes/".length(), rest.length() - "/release".length());
            Optional<NodeInfo> node = engine.syncManager().node(id);
            if (node.isEmpty() || node.get().self()) {
                throw ApiError.notFound("No node " + Wire.abbreviate(id));
            }
            String kept;
            try {
                kept = engine.administration().release(id);
            } catch (IllegalStateException e) {
                throw new ApiError(409, "not_revoked", "Node " + node.get().code() + " is not revoked: revoke it first");
            }
            LOG.warn("The code " + node.get().code() + " of revoked node " + id + " released by an administrator (token "
                    + by + "); the node's record is kept as " + kept);
            ErrorBody.writeJson(json, response, callback, 200, json.createObjectNode().put("node_id", id)
                    .put("code", node.get().code()).put("released_as", kept));
        } else if (rest.startsWith("entities/") && rest.endsWith("/restore")) {
            ApiHandler.allow(method, "POST");
            restore(request, by, rest.substring("entities/".length(), rest.length() - "/restore".length()), response, callback);
        } else if ("import".equals(rest)) {
            ApiHandler.allow(method, "POST");
            exchanges.importFile(request, response, callback);
        } else if ("backup".equals(rest)) {
            ApiHandler.allow(method, "GET", "POST");
            if ("GET".equals(method)) {
                backups.stream(by, response, callback);
            } else {
                backups.write(response, callback);
            }
        } else if ("prune".equals(rest)) {
            ApiHandler.allow(method, "POST");
            PruneReport report = engine.administration().prune(settings.changeRetention(),
                    settings.errorRetention());
            ErrorBody.writeJson(json, response, callback, 200, json.createObjectNode().put("changes", report.changes())
                    .put("packets", report.packets()).put("errors", report.errors())
                    .put("change_retention_days", settings.changeRetention().toDays())
                    .put("error_retention_days", settings.errorRetention().toDays()));
        } else if ("metrics".equals(rest)) {
            ApiHandler.allow(method, "GET");
            // counts, not lists: a scrape every few seconds must not load every node, conflict and error
            NodeCounts counts = engine.administration().counts();
            long waiting = engine.administration().waitingForPlugins().values().stream().mapToLong(Long::longValue).sum();
            String text = metrics.render(counts.peers(), counts.openConflicts(), counts.deadLetters(), waiting);
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            response.write(true, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), callback);
        } else {
            throw ApiError.notFound("No administration endpoint at " + Wire.abbreviate(rest));
        }
    }

    /**
     * {@code GET} and {@code PUT /api/admin/nodes/{id}/scope}: which roots a node receives,
     * {@code {"scope": "all"}} or {@code {"scope": ["<root uuid>", ...]}} (PROTOCOL.md, Scopes).
     */
    private void scope(Request request, String by, String id, String method, Response response, Callback callback) {
        Optional<NodeInfo> node = engine.syncManager().node(id);
        if (node.isEmpty() || node.get().self() || node.get().server()) {
            throw ApiError.notFound("No node " + Wire.abbreviate(id));
        }
        NodeScope scope;
        if ("GET".equals(method)) {
            scope = engine.administration().scope(id);
        } else {
            JsonNode parsed = jsonBody(request, 1 << 20);
            if (parsed == null) {
                throw ApiError.badRequest("The body must be {\"scope\": \"all\"} or {\"scope\": [\"<root uuid>\", ...]}");
            }
            JsonNode wanted = parsed.get("scope");
            NodeScope asked;
            if (wanted != null && wanted.isTextual() && "all".equals(wanted.textValue())) {
                asked = NodeScope.ALL;
            } else if (wanted != null && wanted.isArray()) {
                List<String> roots = new ArrayList<>();
                for (JsonNode r : wanted) {
                    if (!r.isTextual() || r.textValue().length() > 64) {
                        throw new ApiError(422, "invalid_scope", "The scope lists root uuids as strings");
                    }
                    roots.add(r.textValue());
                }
                asked = NodeScope.of(roots);
            } else {
                throw new ApiError(422, "invalid_scope", "The body must be {\"scope\": \"all\"} or {\"scope\": [\"<root uuid>\", ...]}");
            }
            try {
                scope = engine.administration().setScope(id, asked);
            } catch (IllegalArgumentException e) {
                throw new ApiError(422, "invalid_scope", e.getMessage());
            }
            LOG.warn("The scope of node " + node.get().code() + " (" + id + ") set to "
                    + (scope.all() ? "all" : scope.roots().size() + " roots") + " by an administrator (token " + by + ")");
        }
        ObjectNode answer = json.createObjectNode().put("node_id", id);
        if (scope.all()) {
            answer.put("scope", "all");
        } else {
            ArrayNode roots = answer.putArray("scope");
            scope.roots().forEach(roots::add);
        }
        ErrorBody.writeJson(json, response, callback, 200, answer);
    }

    /**
     * {@code POST /api/admin/tokens} with {@code {"name": "..."}}: a new admin token, shown
     * in this answer only; the server keeps its hash.
     */
    private void createToken(Request request, String by, Response response, Callback callback) {
        JsonNode parsed = jsonBody(request, 4096);
        if (parsed == null || !parsed.isObject() || !parsed.path("name").isTextual()) {
            throw ApiError.badRequest("The body must be {\"name\": \"<token name>\"}");
        }
        String name = parsed.get("name").textValue();
        String token = Secrets.newToken();
        AdminToken created;
        try {
            created = engine.administration().createAdminToken(name, Secrets.hash(token));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(e.getMessage());
        } catch (IllegalStateException e) {
            throw new ApiError(409, "token_exists", e.getMessage());
        }
        LOG.warn("Admin token " + name + " created by an administrator (token " + by + ")");
        ErrorBody.writeJson(json, response, callback, 201, json.createObjectNode().put("name", created.name())
                .put("token", token).put("created_at", Wire.format(created.createdAt())));
    }

    /**
     * @return the request's body as JSON, or {@code null} when it is empty
     * @throws ApiError {@code 400} when it is not JSON, {@code 413} when it is over the limit
     */
    private JsonNode jsonBody(Request request, int limit) {
        byte[] body = Http.body(request, limit);
        if (body.length == 0) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (IOException e) {
            throw ApiError.badRequest("The body is not valid JSON");
        }
    }

    /**
     * Answers one page of a list read with one row more than asked, so that the extra row
     * says whether {@code next_offset} goes with it.
     */
    private <T> void writePage(String field, List<T> rows, int offset, int limit,
            BiConsumer<ArrayNode, T> add, Response response, Callback callback) {
        ArrayNode list = json.createArrayNode();
        rows.subList(0, Math.min(limit, rows.size())).forEach(r -> add.accept(list, r));
        ObjectNode answer = json.createObjectNode();
        answer.set(field, list);
        if (rows.size() > limit) {
            answer.put("next_offset", offset + limit);
        }
        ErrorBody.writeJson(json, response, callback, 200, answer);
    }

    /** @return a whole-number query parameter within bounds, or the default when it is absent */
    private static int number(Fields query, String name, int min, int max, int fallback) {
        String v = query.getValue(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiError.badRequest(name + " must be a whole number from " + min + " to " + max);
    }

    /**
     * {@code POST /api/admin/entities/{type}/{uuid}/restore}: a deleted entity lives again,
     * with its state when it was deleted or, given {@code {"version_id": "..."}}, with the
     * data of one of its stored versions; the restore reaches every node as a change.
     */
    private void restore(Request request, String by, String path, Response response, Callback callback) {
        int slash = path.indexOf('/');
        if (slash <= 0 || slash == path.length() - 1 || path.indexOf('/', slash + 1) >= 0) {
            throw ApiError.notFound("No administration endpoint at entities/" + Wire.abbreviate(path) + "/restore");
        }
        String type = path.substring(0, slash);
        String uuid = path.substring(slash + 1);
        String versionId = null;
        JsonNode parsed = jsonBody(request, 4096);
        if (parsed != null) {
            JsonNode v = parsed.get("version_id");
            if (!parsed.isObject() || (v != null && !v.isNull() && !v.isTextual())) {
                throw ApiError.badRequest("The body must be empty or {\"version_id\": \"<id>\"}");
            }
            versionId = v == null || v.isNull() ? null : v.textValue();
        }
        ObjectNode data;
        try {
            data = engine.conflictResolver().restore(type, uuid, versionId);
        } catch (NoSuchElementException e) {
            throw ApiError.notFound("There is no deleted " + Wire.abbreviate(type) + " " + Wire.abbreviate(uuid));
        } catch (IllegalArgumentException e) {
            throw new ApiError(422, "invalid_restore", e.getMessage());
        }
        LOG.warn(type + " " + uuid + " restored by an administrator (token " + by + ")"
                + (versionId == null ? "" : " from version " + versionId));
        ObjectNode answer = json.createObjectNode().put("entity_type", type).put("entity_uuid", uuid).put("restored", true);
        answer.set("data", data);
        ErrorBody.writeJson(json, response, callback, 200, answer);
    }
}
