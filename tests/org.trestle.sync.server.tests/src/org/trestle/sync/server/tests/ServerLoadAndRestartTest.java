package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

import com.fasterxml.jackson.databind.JsonNode;

/** Many nodes at once, one node twice at once, and a restart in the middle of an initial load. */
class ServerLoadAndRestartTest {

    private static final int NODES = 50;
    private static final int PACKETS = 4;
    private static final int PER_PACKET = 5;

    @Test
    void fiftyNodesExchangingAtOnceLoseAndDuplicateNothing() throws Exception {
        URI base = RunningServer.uri();
        List<ProtocolClient> clients = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            clients.add(ProtocolClient.register(base, "load" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(NODES);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (ProtocolClient c : clients) {
                results.add(pool.submit(() -> {
                    int processed = 0;
                    for (int p = 0; p < PACKETS; p++) {
                        processed += c.exchange(c.packet(c.widgets(PER_PACKET))).get("processed_count").asInt();
                    }
                    return processed;
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(PACKETS * PER_PACKET, f.get(120, TimeUnit.SECONDS));
            }
            // each node drains its queue: it must have every other node's widgets, each exactly once
            Set<String> sent = new HashSet<>();
            for (ProtocolClient c : clients) {
                for (int round = 0; round < 100; round++) {
                    if (!c.exchange(c.packet(null)).get("packet_data").get("has_more").asBoolean()) {
                        break;
                    }
                }
            }
            for (ProtocolClient c : clients) {
                Set<String> fromOthers = new HashSet<>(c.received.keySet());
                assertTrue(fromOthers.size() >= (NODES - 1) * PACKETS * PER_PACKET,
                        c.code + " received " + fromOthers.size());
                assertTrue(c.received.values().stream().allMatch(n -> n == 1), c.code + " received a change twice");
                sent.addAll(fromOthers);
            }
            assertTrue(sent.size() >= NODES * PACKETS * PER_PACKET);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oneNodeSendingTwoExchangesAtOnceAppliesEachChangeOnce() throws Exception {
        URI base = RunningServer.uri();
        ProtocolClient c = ProtocolClient.register(base, "twice");
        var first = c.packet(c.widgets(10));
        // per the protocol, a packet carries every change not yet acknowledged: the second repeats the first's
        var both = first.get("changes").deepCopy();
        ((com.fasterxml.jackson.databind.node.ArrayNode) both).addAll(c.widgets(10));
        var second = c.packet((com.fasterxml.jackson.databind.node.ArrayNode) both);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<JsonNode> a = pool.submit(() -> c.exchange(first));
            Future<JsonNode> b = pool.submit(() -> c.exchange(second));
            JsonNode ra = a.get(60, TimeUnit.SECONDS);
            JsonNode rb = b.get(60, TimeUnit.SECONDS);
            int processed = ra.get("processed_count").asInt() + rb.get("processed_count").asInt();
            assertEquals(ra.get("packet_data").get("packet_no").asLong() + rb.get("packet_data").get("packet_no").asLong(),
                    2 * Math.min(ra.get("packet_data").get("packet_no").asLong(),
                            rb.get("packet_data").get("packet_no").asLong()) + 1, "the answers are numbered one after the other");
            assertEquals(20, processed);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRestartInTheMiddleOfAnInitialLoadResumesWhereItStopped() throws Exception {
        URI base = RunningServer.uri();
        ProtocolClient seeder = ProtocolClient.register(base, "seeder");
        for (int i = 0; i < 7; i++) {
            seeder.exchange(seeder.packet(seeder.widgets(100))); // more than one batch of 500
        }
        ProtocolClient fresh = ProtocolClient.register(base, "fresh");
        Set<String> received = new HashSet<>();
        JsonNode first = fresh.exchange(fresh.packet(null));
        first.get("packet_data").get("changes").forEach(c -> received.add(c.get("entity_uuid").asText()));
        assertTrue(first.get("packet_data").get("has_more").asBoolean());
        int before = received.size();

        Bundle server = FrameworkUtil.getBundle(ServerLoadAndRestartTest.class);
        server.stop();
        server.start();
        fresh.base = RunningServer.uri();

        int duplicates = 0;
        for (int round = 0; round < 100; round++) {
            JsonNode answer = fresh.exchange(fresh.packet(null));
            for (JsonNode c : answer.get("packet_data").get("changes")) {
                if (!received.add(c.get("entity_uuid").asText())) {
                    duplicates++;
                }
            }
            if (!answer.get("packet_data").get("has_more").asBoolean()) {
                break;
            }
        }
        assertTrue(before > 0 && before < received.size());
        assertTrue(received.size() >= 700, "the initial load completed: " + received.size());
        assertEquals(0, duplicates, "an acknowledged batch is not sent again");
    }
}
