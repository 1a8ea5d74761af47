package org.trestle.sync.server.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.SQLTransactionRollbackException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.PacketManager;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncProtocol;
import org.trestle.sync.api.packet.ExchangeAnswer;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.packet.PacketException;
import org.trestle.sync.api.packet.SyncFile;
import org.trestle.sync.api.packet.Wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A node's exchanges: {@code POST /api/sync/exchange} in its three forms, the import of a
 * node's signed file, and {@code GET /api/sync/status/{id}}. The wire format is the
 * packet codec's, here only read and written.
 */
final class ExchangeEndpoint {

    /** How long a second exchange of the same node, or a packet waiting for the inflation budget, waits. */
    static final int EXCHANGE_WAIT_SECONDS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(ExchangeEndpoint.class);

    private final ObjectMapper json;
    private final ObjectMapper envelope;
    private final SyncEngine engine;
    private final PacketManager packets;
    private final ServerSettings settings;
    private final Authentication auth;
    private final Metrics metrics;
    private final String serverId;
    private final FileKeys fileKeys;
    /** Held while a node's exchange runs. */
    private final Map<String, ReentrantLock> exchanging = new ConcurrentHashMap<>();
    /**
     * Megabytes of inflated packets all exchanges may be parsing at once: a quarter of the
     * heap, so that GZIP bombs from many nodes together cannot exhaust it.
     */
    private final Semaphore inflating = new Semaphore(
            (int) Math.max(16, Runtime.getRuntime().maxMemory() / 4 / (1L << 20)));
    /** Nodes known to have a sealed file key, so that the check costs a query once per node. */
    private final java.util.Set<String> keyed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    ExchangeEndpoint(ObjectMapper json, ObjectMapper envelope, SyncEngine engine, ServerSettings settings,
            Authentication auth, Metrics metrics, FileKeys fileKeys) {
        this.fileKeys = fileKeys;
        this.json = json;
        this.envelope = envelope;
        this.engine = engine;
        this.packets = engine.packetManager();
        this.settings = settings;
        this.auth = auth;
        this.metrics = metrics;
        this.serverId = engine.self().nodeId();
    }

    void exchange(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        NodeInfo node = auth.node(request);
        ensureFileKey(node, Http.bearer(request));
        // one exchange per node at a time: parallel requests of one token queue briefly, then are refused
        ReentrantLock lock = exchanging.computeIfAbsent(node.nodeId(), id -> new ReentrantLock());
        try {
            if (!lock.tryLock(EXCHANGE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                metrics.exchangeFailures.incrementAndGet();
                throw new ApiError(409, "exchange_in_progress", "Another exchange of node " + node.code()
                        + " is still running; exchange again when it has ended");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "busy", "The server is stopping");
        }
        long[] reserved = { 0 };
        try {
            exchangeLocked(request, response, callback, node, start, reserved);
        } finally {
            inflating.release((int) reserved[0]);
            lock.unlock();
        }
    }

    private static final java.util.regex.Pattern PRODUCT = java.util.regex.Pattern
            .compile("^Trestle/([0-9A-Za-z][0-9A-Za-z._+-]{0,63})(?:\\s.*)?$");

    /**
     * @return the product version the client said in {@code User-Agent: Trestle/<version>}, or
     *         {@code null} for another client (a script) or a value that is no version
     */
    static String productVersion(Request request) {
        String agent = request.getHeaders().get(HttpHeader.USER_AGENT);
        if (agent == null || agent.length() > 200) {
            return null;
        }
        java.util.regex.Matcher m = PRODUCT.matcher(agent);
        return m.matches() ? m.group(1) : null;
    }

    /** Takes a megabyte of the server's inflation budget for a packet being parsed, or refuses it. */
    private void reserve(long[] reserved) {
        try {
            if (!inflating.tryAcquire(1, EXCHANGE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new ApiError(503, "busy", "The server is reading as many large packets as its memory allows;"
                        + " exchange again shortly");
            }
            reserved[0]++;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "busy", "The server is stopping");
        }
    }

    private void exchangeLocked(Request request, Response response, Callback callback, NodeInfo node, long start,
            long[] reserved) {
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
                packet = packets.decompress(body, settings.maxInflatedBytes(), mib -> reserve(reserved));
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
                    packet = packets.decompress(gz, settings.maxInflatedBytes(), mib -> reserve(reserved));
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
            if (!serverId.equals(packet.target())) {
                throw new PacketException(PacketException.INVALID, "the packet's target is not this server");
            }
            ProcessResult result = processWithRetries(packet, node);
            Packet answer = engine.syncManager().buildPacket(node.nodeId());
            metrics.changesApplied.addAndGet(result.processed());
            metrics.changesSkipped.addAndGet(result.skipped());
            metrics.conflicts.addAndGet(result.conflicts().size());
            metrics.errors.addAndGet(result.errors().size());
            metrics.changesSent.addAndGet(answer.changes().size());
            byte[] out = packets.answerToJson(ExchangeAnswer.of(answer, result), hexAnswer);
            byte[] bytes;
            if (gzipForm) {
                bytes = packets.gzip(out);
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, SyncProtocol.MEDIA_TYPE_PACKET_GZIP);
            } else {
                bytes = out;
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, ErrorBody.JSON);
            }
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            metrics.bytesOut.addAndGet(bytes.length);
            metrics.exchanges.incrementAndGet();
            metrics.observeExchange(System.nanoTime() - start);
            String product = productVersion(request);
            if (product != null && !product.equals(node.productVersion())) {
                engine.administration().recordProductVersion(node.nodeId(), product);
            }
            response.write(true, ByteBuffer.wrap(bytes), callback);
        } catch (PacketException e) {
            metrics.exchangeFailures.incrementAndGet();
            int status = PacketException.TOO_LARGE.equals(e.code()) ? 413 : 422;
            LOG.info("Exchange of node " + node.code() + " refused: " + e.getMessage());
            throw new ApiError(status, e.code(), e.getMessage());
        } catch (ApiError e) {
            metrics.exchangeFailures.incrementAndGet();
            throw e;
        }
    }

    /**
     * A node registered before file keys were sealed gets its key at its first exchange,
     * the one moment the server sees its token.
     */
    private void ensureFileKey(NodeInfo node, String token) {
        if (keyed.contains(node.nodeId()) || token == null) {
            return;
        }
        if (engine.administration().sealedFileKey(node.nodeId()).isEmpty()) {
            engine.administration().setSealedFileKey(node.nodeId(),
                    fileKeys.seal(node.nodeId(), packets.fileKey(token, node.nodeId())));
        }
        keyed.add(node.nodeId());
    }

    /**
     * A file a node exported (one GZIP packet) is applied as if the node had sent it;
     * the answer is the server's packet for that node, to be imported there.
     */
    void importFile(Request request, Response response, Callback callback) {
        byte[] body = Http.body(request, settings.maxBodyBytes());
        SyncFile file;
        try {
            file = packets.readFile(body, settings.maxInflatedBytes());
        } catch (PacketException e) {
            throw new ApiError(PacketException.TOO_LARGE.equals(e.code()) ? 413 : 422, e.code(),
                    "Not a valid sync file: " + e.getMessage());
        }
        Packet packet = file.packet();
        NodeInfo node = engine.syncManager().node(packet.sender()).filter(n -> !n.self() && !n.revoked())
                .orElseThrow(() -> new ApiError(422, PacketException.INVALID, "The file's sender is not a registered node"));
        String key = engine.administration().sealedFileKey(node.nodeId()).map(k -> fileKeys.unseal(node.nodeId(), k))
                .orElseThrow(() -> new ApiError(422, "invalid_signature", "The file's sender has no file key yet: it gets"
                        + " one at its next exchange over the network. Nothing was imported."));
        if (file.signature() == null) {
            throw new ApiError(422, "invalid_signature", "The file is not signed; files exported by a node carry a"
                    + " signature. Nothing was imported.");
        }
        if (!packets.verifyFile(file, key)) {
            LOG.warn("Refused a file of node " + node.code() + ": its signature does not match");
            throw new ApiError(422, "invalid_signature", "The file does not match its signature: it was changed after "
                    + node.code() + " exported it. Nothing was imported.");
        }
        ProcessResult result;
        try {
            result = processWithRetries(packet, node);
        } catch (PacketException e) {
            throw new ApiError(422, e.code(), e.getMessage());
        }
        Packet answer = engine.syncManager().buildPacket(node.nodeId());
        LOG.info("Imported a file of node " + node.code() + ": " + result.processed() + " applied, " + result.errors().size()
                + " refused");
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, SyncProtocol.MEDIA_TYPE_PACKET_GZIP);
        response.getHeaders().put("X-Trestle-Processed", result.processed());
        response.getHeaders().put("X-Trestle-Errors", result.errors().size());
        response.getHeaders().put("X-Trestle-Conflicts", result.conflicts().size());
        response.write(true, ByteBuffer.wrap(packets.writeFile(answer, key)), callback);
    }

    private ProcessResult processWithRetries(Packet packet, NodeInfo node) {
        for (int attempt = 0;; attempt++) {
            try {
                return engine.syncManager().processPacket(packet);
            } catch (RuntimeException e) {
                if (attempt >= settings.maxRetries() || !isTransient(e)) {
                    throw e;
                }
                LOG.warn("Packet " + packet.packetNo() + " of node " + node.code() + " met a transient database "
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

    void status(Request request, String nodeId, Response response, Callback callback) {
        NodeInfo caller = auth.node(request, true);
        if (!caller.nodeId().equals(nodeId)) {
            if (engine.syncManager().node(nodeId).isPresent()) {
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
        org.trestle.sync.api.NodeScope scope = engine.administration().scope(self.nodeId());
        body.put("scope", scope.all() ? "all" : scope.roots());
        ErrorBody.writeJson(json, response, callback, 200, body);
    }
}
