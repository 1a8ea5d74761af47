package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.EntityRow;
import org.trestle.sync.api.EntityWrite;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncEngineFactory;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncProtocol;
import org.trestle.sync.api.SyncStatus;
import org.trestle.sync.client.HttpTransport;
import org.trestle.sync.client.Registration;

/**
 * A laptop for the fault tests: the shipped client on its own database, that is the
 * engine's exchange loop over the shipped HTTP transport in the binary GZIP form.
 */
final class TestLaptop implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    final SyncEngine engine;
    final String code;
    String token;
    volatile URI base;
    /** Exchanges that failed on a broken connection or answer. */
    int broken;

    TestLaptop(SyncEngineFactory factory, Path dir, String code) {
        this(factory, dir, code, 20);
    }

    TestLaptop(SyncEngineFactory factory, Path dir, String code, int batchSize) {
        this.engine = factory.open(dir, EngineSettings.defaults().withBatchSize(batchSize));
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
            List<EntityWrite> puts = new java.util.ArrayList<>();
            for (int i = from; i < Math.min(count, from + 1000); i++) {
                puts.add(EntityWrite.put("Material", java.util.UUID.randomUUID().toString(),
                        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("code", code + "-" + i)
                                .put("name", "Seeded material " + i).put("unit", "kg").put("unitPrice", "2.50")));
            }
            engine.entities().putAll(puts);
        }
        for (int i = 0; i < 1000 && exchange(); i++) {
            // until everything is on the server
        }
        assertEquals(0L, engine.syncManager().pendingCount(engine.syncManager().serverNodeId()), code + " sent everything");
    }

    /** @return uuid to the attributes (as JSON) of every live entity of a type */
    Map<String, String> state(String type) {
        Map<String, String> out = new TreeMap<>();
        for (EntityRow e : engine.entities().list(type)) {
            out.put(e.uuid(), e.data().toString());
        }
        return out;
    }

    /** @return uuid to code of every live material */
    Map<String, String> materials() {
        Map<String, String> out = new TreeMap<>();
        for (EntityRow e : engine.entities().list("Material")) {
            out.put(e.uuid(), e.data().path("code").asText());
        }
        return out;
    }

    void register(URI server) throws Exception {
        Registration r = new HttpTransport(server, null, Duration.ofSeconds(20), engine.packetManager())
                .register(code, "test-enrollment-key", SyncProtocol.SCHEMA_VERSION);
        token = r.authToken();
        engine.syncManager().initializeClient(r.nodeId(), code, r.serverNodeId());
    }

    private HttpTransport transport;

    /** The shipped transport to the current base, made again when the base changes. */
    private HttpTransport transport() {
        URI now = base;
        if (transport == null || !transport.server().equals(now)) {
            transport = new HttpTransport(now, null, Duration.ofSeconds(20), engine.packetManager())
                    .authenticated(token, true);
        }
        return transport;
    }

    /**
     * One exchange through the shipped client.
     *
     * @return whether the exchange went through and either side has more
     */
    boolean exchange() throws Exception {
        try {
            return engine.syncManager().exchange(transport()).again();
        } catch (SyncException e) {
            if (e.status() == SyncStatus.OFFLINE && e.getCause() != null) {
                broken++;
                return false; // a broken connection or a cut answer: everything stays queued on both sides
            }
            throw new AssertionError(code + ": " + e.getMessage(), e);
        }
    }

    void syncToCompletion() throws Exception {
        for (int i = 0; i < 200 && exchange(); i++) {
            // until neither side has anything more
        }
    }

    /** @return uuid to "name/qty" of every live widget */
    Map<String, String> widgets() {
        Map<String, String> out = new TreeMap<>();
        for (EntityRow e : engine.entities().list("Widget")) {
            out.put(e.uuid(), e.data().path("name").asText() + "/" + e.data().path("qty").asInt());
        }
        return out;
    }

    @Override
    public void close() {
        engine.close();
    }
}
