package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code GET /api/sync/wait}: answers on a queued change, times out, and holds no thread while waiting. */
class WaitEndpointTest {

    private static URI base;

    @BeforeAll
    static void connect() throws InterruptedException {
        base = RunningServer.uri();
    }

    private static CompletableFuture<HttpResponse<String>> waitAsync(ProtocolClient node, int seconds) {
        return ProtocolClient.HTTP.sendAsync(HttpRequest.newBuilder(base.resolve("/api/sync/wait?timeout=" + seconds))
                .timeout(Duration.ofSeconds(seconds + 30)).header("Authorization", "Bearer " + node.token).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Exchanges until the server has nothing more for the node, acknowledging what it received. */
    private static void drain(ProtocolClient node) throws Exception {
        for (int i = 0; i < 200; i++) {
            JsonNode answer = node.exchange(node.packet(null));
            if (!answer.path("packet_data").path("has_more").asBoolean()) {
                return;
            }
        }
    }

    private static long pending(HttpResponse<String> r) throws Exception {
        assertEquals(200, r.statusCode(), r.body());
        return ProtocolClient.JSON.readTree(r.body()).path("pending_changes").asLong(-1);
    }

    @Test
    void aNodeWithChangesNoPacketCarriedYetIsAnsweredAtOnce() throws Exception {
        ProtocolClient writer = ProtocolClient.register(base, "wait-writer");
        writer.exchange(writer.packet(writer.widgets(2)));
        ProtocolClient fresh = ProtocolClient.register(base, "wait-fresh");
        // its initial load is queued and unsent: the answer does not wait for the timeout
        assertTrue(pending(waitAsync(fresh, 60).get(30, TimeUnit.SECONDS)) >= 2);
    }

    @Test
    void aWaitEndsWithNothingWhenTheTimeoutPasses() throws Exception {
        ProtocolClient node = ProtocolClient.register(base, "wait-idle");
        drain(node);
        assertEquals(0, pending(waitAsync(node, 1).get(30, TimeUnit.SECONDS)));
    }

    @Test
    void aChangeFromAnotherNodeWakesTheWaitingNode() throws Exception {
        ProtocolClient waiting = ProtocolClient.register(base, "wait-reader");
        ProtocolClient writer = ProtocolClient.register(base, "wait-other");
        drain(waiting);
        drain(writer);
        CompletableFuture<HttpResponse<String>> wait = waitAsync(waiting, 60);
        Thread.sleep(300); // the wait is open at the server
        assertTrue(!wait.isDone(), "nothing is pending yet");
        writer.exchange(writer.packet(writer.widgets(3)));
        assertTrue(pending(wait.get(30, TimeUnit.SECONDS)) >= 3, "the wait answers with the changes it now holds");
        // its own changes do not wake the node that made them
        drain(writer);
        CompletableFuture<HttpResponse<String>> own = waitAsync(writer, 2);
        writer.exchange(writer.packet(writer.widgets(1)));
        assertEquals(0, pending(own.get(30, TimeUnit.SECONDS)));
    }

    @Test
    void manyWaitingRequestsHoldNoServerThread() throws Exception {
        List<ProtocolClient> nodes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ProtocolClient n = ProtocolClient.register(base, "wait-many");
            drain(n);
            nodes.add(n);
        }
        long before = serverThreads();
        List<CompletableFuture<HttpResponse<String>>> waits = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            waits.add(waitAsync(nodes.get(i % nodes.size()), 60));
        }
        Thread.sleep(2_000);
        long during = serverThreads();
        assertTrue(waits.stream().noneMatch(CompletableFuture::isDone), "all 300 wait");
        // far fewer threads than waiting requests (the pool has at most 200): the waits hold none
        assertTrue(during - before < 150, "server threads before " + before + ", with 300 waiting " + during);
        // and other requests are still served while they wait
        ProtocolClient writer = ProtocolClient.register(base, "wait-many-writer");
        writer.exchange(writer.packet(writer.widgets(1)));
        for (CompletableFuture<HttpResponse<String>> w : waits) {
            assertTrue(pending(w.get(60, TimeUnit.SECONDS)) >= 1);
        }
    }

    @Test
    void badRequestsAreRefused() throws Exception {
        ProtocolClient node = ProtocolClient.register(base, "wait-bad");
        for (String t : List.of("0", "61", "soon")) {
            HttpResponse<String> r = node.get("/api/sync/wait?timeout=" + t);
            assertEquals(400, r.statusCode(), r.body());
            assertEquals("invalid_timeout", ProtocolClient.JSON.readTree(r.body()).path("error").asText());
        }
        node.token = "not-a-token";
        assertEquals(401, node.get("/api/sync/wait").statusCode());
    }

    private static long serverThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("trestle-http")).count();
    }
}
