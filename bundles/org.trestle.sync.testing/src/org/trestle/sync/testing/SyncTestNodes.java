package org.trestle.sync.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

import jakarta.persistence.EntityManager;

import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;
import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.SyncEngineFactory;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncTransport;
import org.trestle.sync.api.packet.ExchangeAnswer;

/**
 * A server and clients, each with its own Derby database in a temporary folder, that
 * exchange packets in process through the engine's own exchange loop
 * ({@link org.trestle.sync.api.SyncManager#exchange}) over an in-process transport: the
 * client builds a packet, the server processes it and answers with its own, the client
 * records the reported conflicts and processes the answer, exactly as over HTTP.
 */
public final class SyncTestNodes implements AutoCloseable {

    private final Path root;
    private final SyncEngine server;
    private final List<SyncEngine> clients = new ArrayList<>();
    private final SyncEngineFactory factory;
    private final EngineSettings settings;

    private SyncTestNodes(Path root, SyncEngineFactory factory, EngineSettings settings, List<EntityTypeInfo> serverTypes) {
        this.root = root;
        this.factory = factory;
        this.settings = settings;
        this.server = serverTypes == null ? factory.open(root.resolve("server"), settings)
                : factory.open(root.resolve("server"), settings, serverTypes);
        server.syncManager().initializeServer("server");
    }

    /**
     * Starts a server that runs exactly these entity types (in the versions they carry), and
     * no client: add them with {@link #addClient(String, List)}, each with its own types.
     */
    public static SyncTestNodes startWithTypes(List<EntityTypeInfo> serverTypes) {
        try {
            return new SyncTestNodes(Files.createTempDirectory("trestle-nodes"), engineFactory(), EngineSettings.defaults(),
                    serverTypes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Registers a new client that runs exactly these entity types. */
    public SyncEngine addClient(String code, List<EntityTypeInfo> types) {
        NodeInfo registered = server.syncManager().registerNode(code, code, null);
        SyncEngine client = factory.open(root.resolve(code), settings, types);
        client.syncManager().initializeClient(registered.nodeId(), code, server.self().nodeId());
        clients.add(client);
        return client;
    }

    /** Starts a server and {@code clients} registered clients. */
    public static SyncTestNodes start(int clients) {
        return start(clients, EngineSettings.defaults());
    }

    public static SyncTestNodes start(int clients, EngineSettings settings) {
        try {
            SyncTestNodes nodes = new SyncTestNodes(Files.createTempDirectory("trestle-nodes"), engineFactory(), settings, null);
            for (int i = 1; i <= clients; i++) {
                nodes.addClient("client-" + i);
            }
            return nodes;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the sync engine factory service of the running OSGi framework */
    public static SyncEngineFactory engineFactory() {
        var context = FrameworkUtil.getBundle(SyncTestNodes.class).getBundleContext();
        ServiceTracker<SyncEngineFactory, SyncEngineFactory> tracker = new ServiceTracker<>(context, SyncEngineFactory.class, null);
        tracker.open();
        try {
            SyncEngineFactory f = tracker.waitForService(30_000);
            assertNotNull(f, "no SyncEngineFactory service: is org.trestle.sync.core in the runtime?");
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Registers a new client with the server and opens its database. */
    public SyncEngine addClient(String code) {
        NodeInfo registered = server.syncManager().registerNode(code, code, null);
        SyncEngine client = factory.open(root.resolve(code), settings);
        client.syncManager().initializeClient(registered.nodeId(), code, server.self().nodeId());
        clients.add(client);
        return client;
    }

    public SyncEngine server() {
        return server;
    }

    public SyncEngine client(int index) {
        return clients.get(index);
    }

    public List<SyncEngine> clients() {
        return List.copyOf(clients);
    }

    /**
     * One exchange: the client's packet up, the server's answer down.
     *
     * @return what the server did with the client's packet
     */
    public ProcessResult exchange(SyncEngine client) {
        ProcessResult[] atServer = new ProcessResult[1];
        SyncTransport inProcess = packet -> {
            try {
                atServer[0] = server.syncManager().processPacket(packet);
            } catch (org.trestle.sync.api.packet.PacketException e) {
                // refused whole, as the server's 4xx answer is read by the shipped transport
                throw new SyncException(org.trestle.sync.api.packet.PacketException.SCHEMA_INCOMPATIBLE.equals(e.code())
                        ? org.trestle.sync.api.SyncStatus.INCOMPATIBLE : null,
                        "The server refused the exchange: " + e.getMessage(), e);
            }
            Packet down = server.syncManager().buildPacket(client.self().nodeId());
            return new SyncTransport.Delivery(ExchangeAnswer.of(down, atServer[0]), 0, 0);
        };
        try {
            client.syncManager().exchange(inProcess);
        } catch (SyncException e) {
            throw new IllegalStateException("client " + client.self().code() + " could not exchange: " + e.getMessage(), e);
        }
        return atServer[0];
    }

    /** Exchanges until neither side has anything queued for the other (at most 1,000 rounds). */
    public void sync(SyncEngine client) {
        for (int round = 0; round < 1000; round++) {
            exchange(client);
            if (client.syncManager().pendingCount(server.self().nodeId()) == 0
                    && server.syncManager().pendingCount(client.self().nodeId()) == 0) {
                return;
            }
        }
        fail("client " + client.self().code() + " did not converge within 1000 exchanges");
    }

    /** Synchronizes every client, twice round, so that what one sent reaches the others. */
    public void syncAll() {
        for (int pass = 0; pass < 3; pass++) {
            for (SyncEngine c : clients) {
                sync(c);
            }
        }
    }

    /** Runs work in one transaction on a node, through plain JPA. */
    public static <T> T write(SyncEngine node, Function<EntityManager, T> work) {
        return node.inTx(work);
    }

    public static void edit(SyncEngine node, Consumer<EntityManager> work) {
        node.inTx(em -> {
            work.accept(em);
            return null;
        });
    }

    /** @return every entity of every type on a node, deleted ones included, as type/uuid -> state */
    public static Map<String, String> snapshot(SyncEngine node) {
        Map<String, String> all = new TreeMap<>();
        node.read(em -> {
            for (EntityTypeInfo t : node.entityTypes()) {
                List<? extends SyncEntity> rows = em.createQuery("select e from "
                        + em.getMetamodel().entity(t.type()).getName() + " e", t.type()).getResultList();
                rows.sort(Comparator.comparing(SyncEntity::getUuid));
                for (SyncEntity e : rows) {
                    // a deleted entity is gone: what it held last does not matter
                    all.put(t.name() + "/" + e.getUuid(), e.isDeleted() ? "DELETED" : node.entities().serialize(e).toString());
                }
            }
            // an entity deleted before it ever arrived is remembered by a tombstone: just as gone
            for (Object[] t : em.createQuery("select t.entityType, t.entityUuid from TombstoneRow t", Object[].class)
                    .getResultList()) {
                all.putIfAbsent(t[0] + "/" + t[1], "DELETED");
            }
            return null;
        });
        return all;
    }

    /** Asserts that every client holds exactly the server's entities, in the same state. */
    public void assertConverged() {
        Map<String, String> expected = snapshot(server);
        for (SyncEngine c : clients) {
            Map<String, String> actual = snapshot(c);
            if (!expected.equals(actual)) {
                StringBuilder diff = new StringBuilder();
                java.util.Set<String> keys = new java.util.TreeSet<>(expected.keySet());
                keys.addAll(actual.keySet());
                for (String k : keys) {
                    if (!java.util.Objects.equals(expected.get(k), actual.get(k))) {
                        diff.append("\n  ").append(k).append(": server ").append(expected.get(k)).append(", client ")
                                .append(actual.get(k));
                    }
                }
                fail("client " + c.self().code() + " differs from the server:" + diff);
            }
        }
    }

    @Override
    public void close() {
        for (SyncEngine c : clients) {
            c.close();
        }
        server.close();
        deleteTree(root);
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
