package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.SyncEngineFactory;
import org.trestle.sync.api.SyncProtocol;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.core.internal.NodeEngine;
import org.trestle.sync.core.internal.PacketCodec;

import com.fasterxml.jackson.databind.JsonNode;

/** A laptop for the fault tests: the real engine on its own database, exchanging in the binary GZIP form. */
final class TestLaptop implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    final NodeEngine engine;
    final String code;
    String token;
    volatile URI base;
    /** Exchanges that failed on a broken connection or answer. */
    int broken;

    TestLaptop(SyncEngineFactory factory, Path dir, String code) {
        this(factory, dir, code, 20);
    }

    TestLaptop(SyncEngineFactory factory, Path dir, String code, int batchSize) {
        this.engine = (NodeEngine) factory.open(dir, EngineSettings.defaults().withBatchSize(batchSize));
        this.code = code;
    }

    /** @return the engine factory of the test runtime */
    static SyncEngineFactory engineFactory() {
        org.osgi.framework.BundleContext context = org.osgi.framework.FrameworkUtil.getBundle(TestLaptop.class)
                .getBundleContext();
        return context.getService(context.getServiceReference(SyncEngineFactory.class));
    }

    /**
     * Fills a server with materials made by a laptop of its own, which is closed again.
     *
     * @return uuid to code of every material the server now holds
     */
    static Map<String, String> seedServer(SyncEngineFactory factory, URI server, Path dir, int count) throws Exception {
        try (TestLaptop seed = new TestLaptop(factory, dir, "SEED", 1000)) {
            seed.register(server);
            seed.base = server;
            seed.seedMaterials(count);
            return seed.materials();
        }
    }

    /** Creates materials here, in transactions of a thousand, and sends them all to the server. */
    void seedMaterials(int count) throws Exception {
        for (int from = 0; from < count; from += 1000) {
            List<NodeEngine.Put> puts = new java.util.ArrayList<>();
            for (int i = from; i < Math.min(count, from + 1000); i++) {
                puts.add(new NodeEngine.Put("Material", java.util.UUID.randomUUID().toString(),
                        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("code", code + "-" + i)
                                .put("name", "Seeded material " + i).put("unit", "kg").put("unitPrice", "2.50"), false));
            }
            engine.putAll(puts);
        }
        for (int i = 0; i < 1000 && exchange(); i++) {
            // until everything is on the server
        }
        assertEquals(0L, engine.pendingCount(engine.serverId()), code + " sent everything");
    }

    /** @return uuid to the attributes (as JSON) of every live entity of a type */
    Map<String, String> state(String type) {
        Map<String, String> out = new TreeMap<>();
        for (var e : engine.listLive(type)) {
            out.put(e.getKey().getUuid(), e.getValue().toString());
        }
        return out;
    }

    /** @return uuid to code of every live material */
    Map<String, String> materials() {
        Map<String, String> out = new TreeMap<>();
        for (var e : engine.listLive("Material")) {
            out.put(e.getKey().getUuid(), e.getValue().path("code").asText());
        }
        return out;
    }

    void register(URI server) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(server.resolve("/api/sync/register"))
                .header("Content-Type", "application/json").header("X-Enrollment-Key", "test-enrollment-key")
                .POST(HttpRequest.BodyPublishers.ofString("{\"code\": \"" + code + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(2, r.statusCode() / 100, r.body());
        JsonNode a = ProtocolClient.JSON.readTree(r.body());
        token = a.path("auth_token").asText();
        engine.initializeClient(a.path("node_id").asText(), code, a.path("server_node_id").asText());
    }

    /** @return whether the exchange went through and either side has more */
    boolean exchange() throws Exception {
        Packet up = engine.buildPacket(engine.serverId());
        PacketCodec codec = (PacketCodec) engine.packetManager();
        HttpResponse<byte[]> r;
        try {
            r = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/sync/exchange")).timeout(Duration.ofSeconds(20))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", SyncProtocol.MEDIA_TYPE_PACKET_GZIP)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(codec.compress(up))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            broken++;
            return false; // a broken connection: everything stays queued on both sides
        }
        if (r.statusCode() != 200) {
            throw new AssertionError(code + ": " + r.statusCode() + " " + new String(r.body()));
        }
        JsonNode answer;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
            answer = ProtocolClient.JSON.readTree(in);
        } catch (java.io.IOException e) {
            broken++;
            return false; // a truncated answer
        }
        Packet down = codec.fromTree(answer.path("packet_data"));
        engine.processPacket(down);
        return up.hasMore() || down.hasMore() || !down.changes().isEmpty();
    }

    void syncToCompletion() throws Exception {
        for (int i = 0; i < 200 && exchange(); i++) {
            // until neither side has anything more
        }
    }

    /** @return uuid to "name/qty" of every live widget */
    Map<String, String> widgets() {
        Map<String, String> out = new TreeMap<>();
        for (var e : engine.listLive("Widget")) {
            out.put(e.getKey().getUuid(), e.getValue().path("name").asText() + "/" + e.getValue().path("qty").asInt());
        }
        return out;
    }

    @Override
    public void close() {
        engine.close();
    }
}
