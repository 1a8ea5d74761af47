package org.trestle.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPInputStream;

import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.SyncEngineFactory;
import org.trestle.sync.api.SyncProtocol;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.core.internal.NodeEngine;
import org.trestle.sync.core.internal.PacketCodec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A client node for the benchmarks: the real engine on its own Derby database, speaking
 * the protocol over HTTP in the binary GZIP form, as the client service does.
 */
final class BenchClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    final NodeEngine engine;
    final PacketCodec codec;
    final URI base;
    final String code;
    String token;
    long bytesUp;
    long bytesDown;
    long applyNanos;
    long exchanges;
    /** The largest packet received so far, for the wire figures. */
    Packet lastDown;

    BenchClient(SyncEngineFactory factory, Path dir, URI base, String code) {
        this.engine = (NodeEngine) factory.open(dir, EngineSettings.defaults().withBatchSize(1000));
        this.codec = (PacketCodec) engine.packetManager();
        this.base = base;
        this.code = code;
    }

    BenchClient register(String enrollmentKey) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/sync/register"))
                .header("Content-Type", "application/json").header("X-Enrollment-Key", enrollmentKey)
                .POST(HttpRequest.BodyPublishers.ofString("{\"code\": \"" + code + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("registration of " + code + " refused: " + r.body());
        }
        JsonNode answer = JSON.readTree(r.body());
        token = answer.path("auth_token").asText();
        engine.initializeClient(answer.path("node_id").asText(), code, answer.path("server_node_id").asText());
        return this;
    }

    /** One exchange: sends what is pending, applies the answer. @return whether either side has more */
    boolean exchangeOnce() throws Exception {
        Packet up = engine.buildPacket(engine.serverId());
        byte[] body = codec.compress(up);
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/sync/exchange"))
                .timeout(Duration.ofMinutes(5)).header("Authorization", "Bearer " + token)
                .header("Content-Type", SyncProtocol.MEDIA_TYPE_PACKET_GZIP)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("exchange of " + code + " refused with " + r.statusCode() + ": "
                    + new String(gunzipOrRaw(r.body())));
        }
        bytesUp += body.length;
        bytesDown += r.body().length;
        exchanges++;
        JsonNode answer = JSON.readTree(gunzipOrRaw(r.body()));
        if (answer.path("error_count").asInt() > 0) {
            throw new IllegalStateException("the server reported change errors for " + code + ": " + answer.path("errors"));
        }
        Packet down = codec.fromTree(answer.path("packet_data"));
        if (lastDown == null || down.changes().size() >= lastDown.changes().size()) {
            lastDown = down;
        }
        long t0 = System.nanoTime();
        engine.processPacket(down);
        applyNanos += System.nanoTime() - t0;
        return up.hasMore() || down.hasMore() || !down.changes().isEmpty();
    }

    /** Exchanges until neither side has anything more. @return the number of exchanges */
    int syncToCompletion() throws Exception {
        int n = 0;
        while (exchangeOnce()) {
            n++;
            if (n > 100_000) {
                throw new IllegalStateException("no end to the exchanges of " + code);
            }
        }
        return n + 1;
    }

    private static byte[] gunzipOrRaw(byte[] bytes) throws IOException {
        if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                return in.readAllBytes();
            }
        }
        return bytes;
    }

    @Override
    public void close() {
        engine.close();
    }
}
