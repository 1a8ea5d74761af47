package org.trestle.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;

import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncEngineFactory;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncProtocol;
import org.trestle.sync.api.SyncTransport;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.client.HttpTransport;
import org.trestle.sync.client.Registration;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A client node for the benchmarks: the shipped client (the engine's exchange loop over
 * the shipped HTTP transport, binary GZIP form) on its own Derby database, with the
 * transport measured so that the time spent applying is known apart from the network's.
 */
final class BenchClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    final SyncEngine engine;
    final URI base;
    final String code;
    String token;
    long bytesUp;
    long bytesDown;
    /** Time in the exchange loop outside the transport: building the packet up, applying the answer. */
    long applyNanos;
    long exchanges;
    /** The largest packet received so far, for the wire figures. */
    Packet lastDown;
    private SyncTransport transport;
    private long transportNanos;

    BenchClient(SyncEngineFactory factory, Path dir, URI base, String code) {
        this(factory, dir, base, code, null);
    }

    /** @param encryptionKey the database's key (encrypted at rest, as the shipped client's), or {@code null} for plain files */
    BenchClient(SyncEngineFactory factory, Path dir, URI base, String code, String encryptionKey) {
        this.engine = encryptionKey == null ? factory.open(dir, EngineSettings.defaults().withBatchSize(1000))
                : factory.open(dir, EngineSettings.defaults().withBatchSize(1000), encryptionKey);
        this.base = base;
        this.code = code;
    }

    BenchClient register(String enrollmentKey) throws Exception {
        HttpTransport http = new HttpTransport(base, null, Duration.ofMinutes(5), engine.packetManager());
        Registration r = http.register(code, enrollmentKey, SyncProtocol.SCHEMA_VERSION);
        token = r.authToken();
        engine.syncManager().initializeClient(r.nodeId(), code, r.serverNodeId());
        HttpTransport authenticated = http.authenticated(token, true);
        transport = packet -> {
            long t0 = System.nanoTime();
            SyncTransport.Delivery d = authenticated.exchange(packet);
            transportNanos += System.nanoTime() - t0;
            bytesUp += d.bytesSent();
            bytesDown += d.bytesReceived();
            if (!d.answer().errors().isEmpty()) {
                throw new IllegalStateException("the server reported change errors for " + code + ": "
                        + d.answer().errors());
            }
            Packet down = d.answer().packet();
            if (lastDown == null || down.changes().size() >= lastDown.changes().size()) {
                lastDown = down;
            }
            return d;
        };
        return this;
    }

    /** One exchange: sends what is pending, applies the answer. @return whether either side has more */
    boolean exchangeOnce() throws SyncException {
        long before = transportNanos;
        long t0 = System.nanoTime();
        boolean again = engine.syncManager().exchange(transport).again();
        applyNanos += System.nanoTime() - t0 - (transportNanos - before);
        exchanges++;
        return again;
    }

    /** Exchanges until neither side has anything more. @return the number of exchanges */
    int syncToCompletion() throws SyncException {
        int n = 0;
        while (exchangeOnce()) {
            n++;
            if (n > 100_000) {
                throw new IllegalStateException("no end to the exchanges of " + code);
            }
        }
        return n + 1;
    }

    @Override
    public void close() {
        engine.close();
    }
}
