package org.trestle.sync.server.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.ChangeError;
import org.trestle.sync.api.ConflictRecord;
import org.trestle.sync.api.NodeCounts;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.packet.Wire;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code /api/admin/...} with an admin token: nodes, open conflicts, changes kept aside,
 * revocation, file import, online backup and metrics.
 */
final class AdminEndpoints {

    private static final Logger LOG = LoggerFactory.getLogger(AdminEndpoints.class);

    private final ObjectMapper json;
    private final SyncEngine engine;
    private final ServerSettings settings;
    private final Authentication auth;
    private final ExchangeEndpoint exchanges;
    private final Metrics metrics;

    AdminEndpoints(ObjectMapper json, SyncEngine engine, ServerSettings settings, Authentication auth,
            ExchangeEndpoint exchanges, Metrics metrics) {
        this.json = json;
        this.engine = engine;
        this.settings = settings;
        this.auth = auth;
        this.exchanges = exchanges;
        this.metrics = metrics;
    }

    void handle(Request request, String rest, String method, Response response, Callback callback) {
        auth.admin(request);
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
                        .put("sent_packet_no", n.sentPacketNo()).put("received_packet_no", n.receivedPacketNo());
            }
            ErrorBody.writeJson(json, response, callback, 200, json.createObjectNode().set("nodes", nodes));
        } else if ("conflicts".equals(rest)) {
            ApiHandler.allow(method, "GET");
            ArrayNode list = json.createArrayNode();
            for (ConflictRecord c : engine.conflictResolver().openConflicts()) {
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
            ApiHandler.allow(method, "GET");
            ArrayNode list = json.createArrayNode();
            for (ChangeError e : engine.administration().deadLetters()) {
                if ((type == null || type.equals(e.entityType())) && (uuid == null || uuid.equals(e.entityUuid()))) {
                    list.addObject().put("seq", e.seq()).put("entity_type", e.entityType())
                            .put("entity_uuid", e.entityUuid()).put("error", e.error()).put("message", e.message());
                }
            }
            ErrorBody.writeJson(json, response, callback, 200, json.createObjectNode().set("errors", list));
        } else if (rest.startsWith("nodes/") && rest.endsWith("/revoke")) {
            ApiHandler.allow(method, "POST");
            String id = rest.substring("nodes/".length(), rest.length() - "/revoke".length());
            Optional<NodeInfo> node = engine.syncManager().node(id);
            if (node.isEmpty() || node.get().self()) {
                throw ApiError.notFound("No node " + Wire.abbreviate(id));
            }
            engine.administration().revoke(id);
            LOG.warn("Node " + node.get().code() + " (" + id + ") revoked by an administrator");
            ErrorBody.writeJson(json, response, callback, 200,
                    json.createObjectNode().put("node_id", id).put("code", node.get().code()).put("revoked", true));
        } else if ("import".equals(rest)) {
            ApiHandler.allow(method, "POST");
            exchanges.importFile(request, response, callback);
        } else if ("backup".equals(rest)) {
            ApiHandler.allow(method, "POST");
            backup(response, callback);
        } else if ("metrics".equals(rest)) {
            ApiHandler.allow(method, "GET");
            // counts, not lists: a scrape every few seconds must not load every node, conflict and error
            NodeCounts counts = engine.administration().counts();
            String text = metrics.render(counts.peers(), counts.openConflicts(), counts.deadLetters());
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
            copy = engine.administration().backup(target);
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
                .put("restore", "stop the server, move " + engine.administration().databaseFolder() + " aside, copy " + copy
                        + " in its place, start the server"));
    }
}
