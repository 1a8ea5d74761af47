package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.FrameworkUtil;
import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncEngineFactory;
import org.trestle.sync.core.internal.Gzip;
import org.trestle.sync.core.internal.SignedFiles;
import org.trestle.sync.server.internal.Secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The protocol's endpoints and error codes over real HTTP, as a hostile or careless client meets them. */
class ServerApiTest {

    private static URI base;

    @BeforeAll
    static void connect() throws InterruptedException {
        base = RunningServer.uri();
    }

    /** @return whether this runtime's server keeps its database on PostgreSQL (the suite runs on both) */
    private static boolean onPostgreSql() {
        return System.getProperty("trestle.server.db-url") != null;
    }

    private static void assertError(HttpResponse<String> r, int status, String code) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = ProtocolClient.JSON.readTree(r.body());
        assertEquals(code, body.path("error").asText(), r.body());
        assertTrue(body.path("message").asText().length() > 5, r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    @Test
    void registrationGivesARandomTokenOfAtLeast128Bits() throws Exception {
        ProtocolClient a = ProtocolClient.register(base, "reg");
        ProtocolClient b = ProtocolClient.register(base, "reg");
        assertTrue(Base64.getUrlDecoder().decode(a.token).length >= 16);
        assertNotEquals(a.token, b.token);
        assertTrue(!a.token.contains(a.nodeId) && !a.token.contains(a.code));
    }

    @Test
    void registrationErrorsFollowTheProtocol() throws Exception {
        assertError(ProtocolClient.post(base, "/api/sync/register", null, "{\"code\": \"nokey\"}"), 401, "unauthorized");
        assertError(ProtocolClient.post(base, "/api/sync/register", "wrong", "{\"code\": \"badkey\"}"), 401, "unauthorized");
        assertError(ProtocolClient.post(base, "/api/sync/register", "test-enrollment-key", "{\"code\": "), 400, "bad_request");
        assertError(ProtocolClient.post(base, "/api/sync/register", "test-enrollment-key", "{\"name\": \"x\"}"), 400, "bad_request");
        assertError(ProtocolClient.post(base, "/api/sync/register", "test-enrollment-key", "{\"code\": \"no spaces!\"}"),
                400, "bad_request");
        assertError(ProtocolClient.post(base, "/api/sync/register", "test-enrollment-key",
                "{\"code\": \"future\", \"schema_version\": \"2.0.0\"}"), 422, "schema_incompatible");
        ProtocolClient a = ProtocolClient.register(base, "dup");
        assertError(ProtocolClient.post(base, "/api/sync/register", "test-enrollment-key",
                "{\"code\": \"" + a.code + "\"}"), 409, "already_registered");
    }

    @Test
    void exchangeAppliesChangesInEveryRequestForm() throws Exception {
        ProtocolClient c = ProtocolClient.register(base, "forms");
        JsonNode object = c.exchange(c.packet(c.widgets(3)));
        assertEquals(3, object.get("processed_count").asInt(), object.toString());
        assertTrue(object.get("packet_data").isObject());
        assertEquals(c.packetNo, object.get("packet_data").get("ack").asLong());

        byte[] gz = ProtocolClient.gzip(c.packet(c.widgets(2)).toString());
        HttpResponse<String> hex = c.exchangeRaw("{\"packet_data\": \"" + HexFormat.of().formatHex(gz) + "\"}");
        assertEquals(200, hex.statusCode(), hex.body());
        JsonNode hexBody = ProtocolClient.JSON.readTree(hex.body());
        assertEquals(2, hexBody.get("processed_count").asInt());
        assertTrue(hexBody.get("packet_data").isTextual(), "asked in hex, answered in hex");
        byte[] inner = HexFormat.of().parseHex(hexBody.get("packet_data").asText());
        JsonNode answerPacket = ProtocolClient.JSON.readTree(new GZIPInputStream(new ByteArrayInputStream(inner)));
        assertEquals(c.serverId, answerPacket.get("sender").asText());

        HttpResponse<byte[]> raw = c.exchangeGzip(ProtocolClient.gzip(c.packet(c.widgets(1)).toString()));
        assertEquals(200, raw.statusCode());
        assertEquals("application/vnd.sync.packet+gzip", raw.headers().firstValue("Content-Type").orElse(""));
        JsonNode rawBody = ProtocolClient.JSON.readTree(new GZIPInputStream(new ByteArrayInputStream(raw.body())));
        assertEquals(1, rawBody.get("processed_count").asInt());
        assertTrue(rawBody.get("packet_data").isObject());
    }

    @Test
    void aDuplicatePacketIsAnsweredButChangesNothing() throws Exception {
        ProtocolClient c = ProtocolClient.register(base, "dupe");
        ObjectNode p = c.packet(c.widgets(2));
        assertEquals(2, c.exchange(p).get("processed_count").asInt());
        JsonNode again = c.exchange(p);
        assertEquals(0, again.get("processed_count").asInt());
        assertEquals(2, again.get("skipped_count").asInt());
    }

    @Test
    void exchangeRefusesWhatIsWrong() throws Exception {
        ProtocolClient c = ProtocolClient.register(base, "hostile");
        ProtocolClient other = ProtocolClient.register(base, "victim");
        HttpResponse<String> noToken = ProtocolClient.HTTP.send(HttpRequest.newBuilder(base.resolve("/api/sync/exchange"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertError(noToken, 401, "unauthorized");
        String realToken = c.token;
        c.token = "not-a-token";
        assertError(c.exchangeRaw("{\"packet_data\": {}}"), 401, "unauthorized");
        c.token = realToken;
        assertError(c.exchangeRaw("{\"packet_data\": \"zz-not-hex\"}"), 422, "invalid_packet");
        assertError(c.exchangeRaw("{\"packet_data\": \"" + HexFormat.of().formatHex("not gzip".getBytes()) + "\"}"),
                422, "invalid_packet");
        assertError(c.exchangeRaw("{\"packet_data\": {\"protocol\": 1"), 422, "invalid_packet");
        assertError(c.exchangeRaw("{\"packet_data\": {\"protocol\": 1}}"), 422, "invalid_packet");
        assertError(c.exchangeRaw("{\"nothing\": true}"), 422, "invalid_packet");
        ObjectNode spoofed = c.packet(null);
        spoofed.put("sender", other.nodeId);
        assertError(c.exchangeRaw("{\"packet_data\": " + spoofed + "}"), 422, "invalid_packet");
        ObjectNode wrongTarget = c.packet(null);
        wrongTarget.put("target", other.nodeId);
        assertError(c.exchangeRaw("{\"packet_data\": " + wrongTarget + "}"), 422, "invalid_packet");
        ObjectNode future = c.packet(null);
        future.put("schema_version", "2.0.0");
        assertError(c.exchangeRaw("{\"packet_data\": " + future + "}"), 422, "schema_incompatible");
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        assertError(c.exchangeRaw("{\"packet_data\": " + deep + "}"), 422, "invalid_packet");
        assertError(c.exchangeRaw("{\"packet_data\": \"" + "ab".repeat(600_000) + "\"}"), 413, "too_large");
        HttpResponse<String> text = ProtocolClient.HTTP.send(HttpRequest.newBuilder(base.resolve("/api/sync/exchange"))
                .header("Authorization", "Bearer " + c.token).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("hello")).build(), HttpResponse.BodyHandlers.ofString());
        assertError(text, 415, "unsupported_media_type");
        // and it still serves
        assertEquals(1, c.exchange(c.packet(c.widgets(1))).get("processed_count").asInt());
    }

    @Test
    void aGzipBombIsRefusedAndTheServerKeepsServing() throws Exception {
        ProtocolClient c = ProtocolClient.register(base, "bomb");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            byte[] spaces = new byte[1 << 20];
            Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 1024; i++) {
                gz.write(spaces); // a gigabyte of spaces, about a megabyte compressed
            }
        }
        byte[] bomb = bytes.toByteArray();
        assertTrue(bomb.length < 1 << 20, "the bomb fits under the body limit: " + bomb.length);
        long started = System.nanoTime();
        HttpResponse<byte[]> r = c.exchangeGzip(bomb);
        assertEquals(413, r.statusCode());
        assertEquals("too_large", ProtocolClient.JSON.readTree(r.body()).get("error").asText());
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 30);
        assertEquals(200, ProtocolClient.HTTP.send(HttpRequest.newBuilder(base.resolve("/api/sync/health")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void parallelBombsFromOneTokenAreRefusedWhileAnotherNodeExchanges() throws Exception {
        ProtocolClient bomber = ProtocolClient.register(base, "bombs");
        ProtocolClient other = ProtocolClient.register(base, "innocent");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            byte[] spaces = new byte[1 << 20];
            Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 300; i++) {
                gz.write(spaces); // past the 256 MiB limit once inflated
            }
        }
        byte[] bomb = bytes.toByteArray();
        var pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> bombs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                bombs.add(pool.submit(() -> bomber.exchangeGzip(bomb).statusCode()));
            }
            // meanwhile an honest node exchanges as usual
            JsonNode answer = other.exchange(other.packet(other.widgets(2)));
            assertEquals(2, answer.get("processed_count").asInt(), "another node's exchange goes through");
            for (var f : bombs) {
                int status = f.get(120, TimeUnit.SECONDS);
                assertTrue(status == 413 || status == 409, "a bomb is refused as too large or as a second exchange of"
                        + " the same node, not with " + status);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(200, ProtocolClient.HTTP.send(HttpRequest.newBuilder(base.resolve("/api/sync/health")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode(), "the server keeps serving");
    }

    @Test
    void aNodeReadsItsOwnStatusOnly() throws Exception {
        ProtocolClient a = ProtocolClient.register(base, "status-a");
        ProtocolClient b = ProtocolClient.register(base, "status-b");
        a.exchange(a.packet(a.widgets(1)));
        HttpResponse<String> own = a.get("/api/sync/status/" + a.nodeId);
        assertEquals(200, own.statusCode(), own.body());
        JsonNode s = ProtocolClient.JSON.readTree(own.body());
        assertEquals(a.code, s.get("node_code").asText());
        assertEquals(1, s.get("received_packet_no").asLong());
        assertTrue(s.get("last_sync_in").asText().endsWith("Z"));
        assertTrue(s.has("pending_changes") && s.has("sent_packet_no") && s.has("last_sync_out"));
        assertError(a.get("/api/sync/status/" + b.nodeId), 403, "forbidden");
        assertError(a.get("/api/sync/status/00000000-0000-0000-0000-000000000000"), 404, "not_found");
    }

    @Test
    void theAdminListingShowsTheVersionsOfTheTypesEachNodeRuns() throws Exception {
        ProtocolClient node = ProtocolClient.register(base, "types-node");
        ObjectNode packet = node.packet(node.widgets(1));
        packet.putObject("types").put("Widget", "0.4.0");
        node.exchange(packet);
        ProtocolClient admin = ProtocolClient.register(base, "types-admin");
        admin.token = "test-admin-token";
        JsonNode listed = null;
        for (JsonNode n : ProtocolClient.JSON.readTree(admin.get("/api/admin/nodes").body()).get("nodes")) {
            if (n.get("code").asText().equals(node.code)) {
                listed = n;
            }
        }
        assertNotNull(listed, "the node is listed");
        assertEquals("0.4.0", listed.path("types").path("Widget").asText(), listed.toString());
        ObjectNode bad = node.packet(node.widgets(1));
        bad.putObject("types").put("Widget", "newest");
        assertError(node.exchangeRaw("{\"packet_data\": " + bad + "}"), 422, "invalid_packet");
    }

    @Test
    void administrationNeedsTheAdminTokenAndRevocationLocksANodeOut() throws Exception {
        ProtocolClient node = ProtocolClient.register(base, "admin-target");
        ProtocolClient admin = ProtocolClient.register(base, "admin-helper");
        admin.token = "test-admin-token";
        HttpResponse<String> nodes = admin.get("/api/admin/nodes");
        assertEquals(200, nodes.statusCode(), nodes.body());
        assertTrue(nodes.body().contains(node.code));
        assertError(node.get("/api/admin/nodes"), 403, "forbidden");
        String nodeToken = node.token;
        node.token = "guess";
        assertError(node.get("/api/admin/nodes"), 401, "unauthorized");
        node.token = nodeToken;

        ObjectNode bad = node.packet(ProtocolClient.JSON.createArrayNode());
        ((ArrayNode) bad.get("changes")).addObject().put("seq", 1)
                .put("entity_type", "Crane").put("entity_uuid", "crane-1").put("operation", "INSERT")
                .put("updated_at", "2026-11-25T10:00:00.000Z").putObject("data");
        node.seq = 1;
        JsonNode result = node.exchange(bad);
        assertEquals("unknown_entity_type", result.get("errors").get(0).get("error").asText());
        HttpResponse<String> errors = admin.get("/api/admin/errors?entity_type=Crane&entity_uuid=crane-1");
        assertEquals(1, ProtocolClient.JSON.readTree(errors.body()).get("errors").size(), errors.body());
        HttpResponse<String> none = admin.get("/api/admin/errors?entity_uuid=other");
        assertEquals(0, ProtocolClient.JSON.readTree(none.body()).get("errors").size());
        assertEquals(200, admin.get("/api/admin/conflicts?entity_type=Widget").statusCode());

        // pages are selected in the database: a second Crane error, read one at a time
        ObjectNode another = node.packet(ProtocolClient.JSON.createArrayNode());
        ((ArrayNode) another.get("changes")).addObject().put("seq", 2)
                .put("entity_type", "Crane").put("entity_uuid", "crane-2").put("operation", "INSERT")
                .put("updated_at", "2026-11-25T10:00:01.000Z").putObject("data");
        node.seq = 2;
        node.exchange(another);
        JsonNode first = ProtocolClient.JSON.readTree(admin.get("/api/admin/errors?entity_type=Crane&limit=1").body());
        assertEquals(1, first.get("errors").size());
        assertEquals("crane-1", first.get("errors").get(0).get("entity_uuid").asText(), "oldest first");
        JsonNode second = ProtocolClient.JSON.readTree(admin.get("/api/admin/errors?entity_type=Crane&limit=1&offset="
                + first.get("next_offset").asInt()).body());
        assertEquals("crane-2", second.get("errors").get(0).get("entity_uuid").asText());
        assertTrue(second.get("next_offset") == null, "no page after the last: " + second);
        assertError(admin.get("/api/admin/errors?limit=0"), 400, "bad_request");

        HttpResponse<String> metrics = admin.get("/api/admin/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        assertTrue(metrics.body().contains("trestle_exchanges_total ") && metrics.body().contains("trestle_exchange_duration_seconds_bucket"));

        HttpResponse<String> revoke = ProtocolClient.HTTP.send(HttpRequest.newBuilder(base.resolve("/api/admin/nodes/"
                + node.nodeId + "/revoke")).header("Authorization", "Bearer test-admin-token")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, revoke.statusCode(), revoke.body());
        assertError(node.exchangeRaw("{\"packet_data\": " + node.packet(null) + "}"), 401, "unauthorized");
        assertError(node.get("/api/sync/status/" + node.nodeId), 401, "unauthorized");
    }

    @Test
    void aRevokedNodesCodeIsFreeAgainOnlyOnceAnAdministratorReleasesIt() throws Exception {
        ProtocolClient first = ProtocolClient.register(base, "laptop");
        ProtocolClient admin = ProtocolClient.register(base, "release-admin");
        admin.token = "test-admin-token";
        String body = "{\"code\": \"" + first.code + "\"}";
        assertError(admin.post("/api/admin/nodes/" + first.nodeId + "/release"), 409, "not_revoked");
        assertEquals(200, admin.post("/api/admin/nodes/" + first.nodeId + "/revoke").statusCode());
        assertError(ProtocolClient.post(base, "/api/sync/register", "test-enrollment-key", body), 409,
                "already_registered");
        HttpResponse<String> released = admin.post("/api/admin/nodes/" + first.nodeId + "/release");
        assertEquals(200, released.statusCode(), released.body());
        String keptAs = ProtocolClient.JSON.readTree(released.body()).get("released_as").asText();
        assertTrue(keptAs.startsWith(first.code) && !keptAs.equals(first.code), keptAs);
        HttpResponse<String> again = ProtocolClient.post(base, "/api/sync/register", "test-enrollment-key", body);
        assertEquals(201, again.statusCode(), "the laptop registers again under its code: " + again.body());
        assertTrue(admin.get("/api/admin/nodes").body().contains(keptAs), "the revoked record is kept");
        assertError(first.exchangeRaw("{\"packet_data\": " + first.packet(null) + "}"), 401, "unauthorized");
    }

    @Test
    void anAdministratorSetsANodesScopeAndTheNodeReceivesAndWritesOnlyWithinIt() throws Exception {
        ProtocolClient office = ProtocolClient.register(base, "scope-office");
        String p1 = UUID.randomUUID().toString();
        String p2 = UUID.randomUUID().toString();
        for (String p : List.of(p1, p2)) {
            JsonNode r = office.exchange(office.packet(office.change("Project", p, "INSERT", ProtocolClient.JSON
                    .createObjectNode().put("code", "SC-" + p.substring(0, 6)).put("name", "Scoped " + p.substring(0, 6))
                    .put("status", "ACTIVE"))));
            assertEquals(1, r.path("processed_count").asInt(), r.toString());
        }
        ProtocolClient laptop = ProtocolClient.register(base, "scope-laptop");
        ProtocolClient admin = ProtocolClient.register(base, "scope-admin");
        admin.token = "test-admin-token";
        String path = "/api/admin/nodes/" + laptop.nodeId + "/scope";
        JsonNode all = ProtocolClient.JSON.readTree(admin.get(path).body());
        assertEquals("all", all.path("scope").asText(), all.toString());
        assertEquals(laptop.nodeId, all.path("node_id").asText());
        assertError(laptop.get(path), 403, "forbidden");
        assertError(admin.get("/api/admin/nodes/" + UUID.randomUUID() + "/scope"), 404, "not_found");
        assertError(admin.put(path, "{\"scope\": "), 400, "bad_request");
        assertError(admin.put(path, "{\"scope\": 5}"), 422, "invalid_scope");
        assertError(admin.put(path, "{\"scope\": [\"" + UUID.randomUUID() + "\"]}"), 422, "invalid_scope");

        HttpResponse<String> set = admin.put(path, "{\"scope\": [\"" + p1 + "\"]}");
        assertEquals(200, set.statusCode(), set.body());
        assertEquals(p1, ProtocolClient.JSON.readTree(set.body()).path("scope").path(0).asText());
        // the initial load follows the scope set before the first exchange
        Set<String> projects = new HashSet<>();
        for (int round = 0; round < 50; round++) {
            JsonNode answer = laptop.exchange(laptop.packet(null));
            for (JsonNode c : answer.path("packet_data").path("changes")) {
                if ("Project".equals(c.path("entity_type").asText())) {
                    projects.add(c.path("entity_uuid").asText());
                }
            }
            if (!answer.path("packet_data").path("has_more").asBoolean()) {
                break;
            }
        }
        assertTrue(projects.contains(p1) && !projects.contains(p2), "only the project in scope arrives: " + projects);
        JsonNode status = ProtocolClient.JSON.readTree(laptop.get("/api/sync/status/" + laptop.nodeId).body());
        assertEquals(p1, status.path("scope").path(0).asText(), status.toString());

        JsonNode refused = laptop.exchange(laptop.packet(laptop.change("Estimate", UUID.randomUUID().toString(), "INSERT",
                ProtocolClient.JSON.createObjectNode().put("project", p2).put("number", "E-OUT").put("title", "Outside"))));
        assertEquals("out_of_scope", refused.path("errors").path(0).path("error").asText(), refused.toString());
    }

    @Test
    void adminTokensAreNamedKeptAsHashesAndRevocable() throws Exception {
        ProtocolClient admin = ProtocolClient.register(base, "tokens-admin");
        ProtocolClient node = ProtocolClient.register(base, "tokens-node");
        admin.token = "test-admin-token";
        assertError(node.get("/api/admin/tokens"), 403, "forbidden");
        JsonNode listed = ProtocolClient.JSON.readTree(admin.get("/api/admin/tokens").body());
        assertTrue(listed.toString().contains("\"name\":\"initial\""), "the configured token is named initial: " + listed);

        String name = "ops-" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = admin.post("/api/admin/tokens", "{\"name\": \"" + name + "\"}");
        assertEquals(201, created.statusCode(), created.body());
        String token = ProtocolClient.JSON.readTree(created.body()).path("token").asText();
        assertTrue(Base64.getUrlDecoder().decode(token).length >= 16, "a random token of at least 128 bits");
        assertFalse(admin.get("/api/admin/tokens").body().contains(token), "a token is shown once, at creation");
        assertError(admin.post("/api/admin/tokens", "{\"name\": \"" + name + "\"}"), 409, "token_exists");
        assertError(admin.post("/api/admin/tokens", "{\"name\": \"no spaces\"}"), 400, "bad_request");
        assertError(admin.post("/api/admin/tokens", "{\"nom\": 1}"), 400, "bad_request");

        ProtocolClient ops = ProtocolClient.register(base, "tokens-ops");
        ops.token = token;
        assertEquals(200, ops.get("/api/admin/nodes").statusCode(), "the new token administers");
        HttpResponse<String> revoked = admin.post("/api/admin/tokens/" + name + "/revoke");
        assertEquals(200, revoked.statusCode(), revoked.body());
        assertError(ops.get("/api/admin/nodes"), 401, "unauthorized");
        assertError(admin.post("/api/admin/tokens/no-such-token/revoke"), 404, "not_found");
        assertTrue(admin.get("/api/admin/tokens").body().contains(name), "a revoked token stays listed");
    }

    @Test
    void aNodeRotatesItsTokenAndTheOldOneWorksOnlyUntilTheNewOneIsUsed() throws Exception {
        ProtocolClient node = ProtocolClient.register(base, "rotate");
        String original = node.token;
        HttpResponse<String> first = node.post("/api/sync/rotate");
        assertEquals(200, first.statusCode(), first.body());
        String lost = ProtocolClient.JSON.readTree(first.body()).path("auth_token").asText();
        assertNotEquals(original, lost);
        // the answer never arrived: the node asks again with the token it still has
        HttpResponse<String> second = node.post("/api/sync/rotate");
        assertEquals(200, second.statusCode(), "the old token still rotates: " + second.body());
        String rotated = ProtocolClient.JSON.readTree(second.body()).path("auth_token").asText();
        node.token = lost;
        assertError(node.get("/api/sync/status/" + node.nodeId), 401, "unauthorized");
        node.token = original;
        assertEquals(200, node.get("/api/sync/status/" + node.nodeId).statusCode(), "the old token until the new is used");
        node.token = rotated;
        assertEquals(200, node.get("/api/sync/status/" + node.nodeId).statusCode());
        JsonNode exchanged = node.exchange(node.packet(node.widgets(1)));
        assertEquals(1, exchanged.path("processed_count").asInt(), exchanged.toString());
        node.token = original;
        assertError(node.get("/api/sync/status/" + node.nodeId), 401, "unauthorized");
        assertError(ProtocolClient.post(base, "/api/sync/rotate", null, ""), 401, "unauthorized");
    }

    @Test
    void anAdministratorPrunesTheSyncLogAndNothingYoungerThanTheRetentionGoes() throws Exception {
        ProtocolClient node = ProtocolClient.register(base, "prune");
        node.exchange(node.packet(node.widgets(2)));
        ProtocolClient admin = ProtocolClient.register(base, "prune-admin");
        admin.token = "test-admin-token";
        assertError(node.post("/api/admin/prune"), 403, "forbidden");
        assertError(admin.get("/api/admin/prune"), 405, "method_not_allowed");
        HttpResponse<String> pruned = admin.post("/api/admin/prune");
        assertEquals(200, pruned.statusCode(), pruned.body());
        JsonNode report = ProtocolClient.JSON.readTree(pruned.body());
        assertEquals(30, report.path("change_retention_days").asInt(), report.toString());
        assertEquals(90, report.path("error_retention_days").asInt(), report.toString());
        assertEquals(0, report.path("changes").asLong(), "every change is younger than the retention: " + report);
        assertTrue(report.has("packets") && report.has("errors"), report.toString());
        // the other node still receives the widgets
        ProtocolClient other = ProtocolClient.register(base, "prune-other");
        JsonNode load = other.exchange(other.packet(null));
        assertTrue(load.path("packet_data").path("changes").size() >= 2, load.toString());
    }

    @Test
    void anAdministratorRestoresADeletedEntityAndTheRestoreReachesTheNodes() throws Exception {
        ProtocolClient node = ProtocolClient.register(base, "restore");
        ArrayNode insert = node.widgets(1);
        String uuid = insert.get(0).get("entity_uuid").asText();
        node.exchange(node.packet(insert));
        ArrayNode delete = ProtocolClient.JSON.createArrayNode();
        delete.addObject().put("seq", ++node.seq).put("entity_type", "Widget").put("entity_uuid", uuid)
                .put("operation", "DELETE").put("updated_at", Instant.now().toString());
        node.exchange(node.packet(delete));
        node.exchange(node.packet(null)); // acknowledges the server's packets so far

        ProtocolClient admin = ProtocolClient.register(base, "restore-admin");
        admin.token = "test-admin-token";
        assertError(node.post("/api/admin/entities/Widget/" + uuid + "/restore"), 403, "forbidden");
        assertError(admin.post("/api/admin/entities/Widget/" + UUID.randomUUID() + "/restore"), 404, "not_found");
        HttpResponse<String> restored = admin.post("/api/admin/entities/Widget/" + uuid + "/restore");
        assertEquals(200, restored.statusCode(), restored.body());
        JsonNode answer = ProtocolClient.JSON.readTree(restored.body());
        assertTrue(answer.path("restored").asBoolean());
        assertEquals(insert.get(0).path("data").path("name").asText(), answer.path("data").path("name").asText(),
                "restored with its state when it was deleted");
        assertError(admin.post("/api/admin/entities/Widget/" + uuid + "/restore"), 404, "not_found");

        JsonNode next = node.exchange(node.packet(null));
        boolean back = false;
        for (JsonNode c : next.path("packet_data").path("changes")) {
            back |= uuid.equals(c.path("entity_uuid").asText()) && "INSERT".equals(c.path("operation").asText())
                    && c.path("data").path("name").asText().equals(answer.path("data").path("name").asText());
        }
        assertTrue(back, "the node that deleted it receives it again: " + next);
    }

    @Test
    void theUpdateSiteIsServedAndNothingOutsideIt() throws Exception {
        Path updates = Path.of(System.getProperty("trestle.server.updates-dir"));
        Files.createDirectories(updates.resolve("plugins"));
        Files.writeString(updates.resolve("p2.index"), "version=1\n");
        Files.writeString(updates.resolve("plugins/a.jar"), "jar");
        Files.writeString(updates.getParent().resolve("secret.txt"), "secret");
        HttpResponse<String> index = ProtocolClient.HTTP.send(HttpRequest.newBuilder(base.resolve("/updates/p2.index")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, index.statusCode());
        assertEquals("version=1\n", index.body());
        assertEquals(200, ProtocolClient.HTTP.send(HttpRequest.newBuilder(base.resolve("/updates/plugins/a.jar")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        for (String sneaky : new String[] { "/updates/%2e%2e/secret.txt", "/updates/..%2fsecret.txt", "/updates/nothing.jar" }) {
            HttpResponse<String> r = ProtocolClient.HTTP.send(HttpRequest.newBuilder(URI.create(base + sneaky)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(r.statusCode() == 400 || r.statusCode() == 404, sneaky + " answered " + r.statusCode());
            assertTrue(!r.body().contains("secret") || r.body().contains("\"error\""), r.body());
        }

        // a symbolic link inside the site that leads out of it is not followed
        Path outside = Files.createDirectories(updates.getParent().resolve("outside"));
        Files.writeString(outside.resolve("private.txt"), "private");
        Path link = updates.resolve("linked");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, outside);
        HttpResponse<String> linked = ProtocolClient.HTTP.send(HttpRequest.newBuilder(base.resolve("/updates/linked/private.txt"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, linked.statusCode(), "a link out of the site: " + linked.body());

        // a download resumes with a range; HEAD tells the size without the body
        Files.writeString(updates.resolve("plugins/b.jar"), "0123456789");
        HttpResponse<String> part = ProtocolClient.HTTP.send(HttpRequest.newBuilder(base.resolve("/updates/plugins/b.jar"))
                .header("Range", "bytes=4-").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(206, part.statusCode());
        assertEquals("456789", part.body());
        assertEquals("bytes 4-9/10", part.headers().firstValue("Content-Range").orElse(""));
        HttpResponse<String> outOfRange = ProtocolClient.HTTP.send(HttpRequest.newBuilder(
                base.resolve("/updates/plugins/b.jar")).header("Range", "bytes=20-").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(416, outOfRange.statusCode());
        HttpResponse<String> head = ProtocolClient.HTTP.send(HttpRequest.newBuilder(base.resolve("/updates/plugins/b.jar"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("10", head.headers().firstValue("Content-Length").orElse(""));
        assertEquals("", head.body());
    }

    @Test
    void anOnlineBackupIsTakenWhileServingAndOpensAsACompleteDatabase() throws Exception {
        ProtocolClient node = ProtocolClient.register(base, "backup");
        node.exchange(node.packet(node.widgets(25)));
        ProtocolClient admin = ProtocolClient.register(base, "backup-admin");
        admin.token = "test-admin-token";
        assertError(node.post("/api/admin/backup"), 403, "forbidden");
        assertError(node.get("/api/admin/backup"), 403, "forbidden");
        if (onPostgreSql()) {
            HttpResponse<String> r = admin.post("/api/admin/backup");
            assertError(r, 409, "backup_not_here");
            assertTrue(r.body().contains("pg_dump"), r.body());
            return;
        }

        // nodes keep exchanging while the copy is taken
        CompletableFuture<Void> busy = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 5; i++) {
                    node.exchange(node.packet(node.widgets(5)));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        HttpResponse<String> r = admin.post("/api/admin/backup");
        busy.get(60, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode answer = ProtocolClient.JSON.readTree(r.body());
        Path copy = Path.of(answer.path("backup").asText());
        assertTrue(Files.isDirectory(copy) && answer.path("bytes").asLong() > 100_000, r.body());
        assertTrue(copy.toString().contains("backups"), "the server chooses where backups go: " + copy);

        // restore: the copy as the database of a fresh data directory opens and holds the data
        Path restored = Files.createTempDirectory("trestle-restore");
        copyTree(copy, restored.resolve("db"));
        try (SyncEngine engine = openCopy(restored)) {
            assertTrue(engine.syncManager().nodes().stream().anyMatch(n -> n.code().equals(node.code)),
                    "the node registered before the backup is in the copy");
            long widgets = engine.entities().list("Widget").stream()
                    .filter(e -> e.data().path("name").asText().startsWith(node.code + " widget")).count();
            assertTrue(widgets >= 25 && widgets <= 50, "the copy holds the widgets of one moment: " + widgets);
        }
    }

    /** Opens a backup copy, put in a data directory's db folder, as a server opens its database. */
    private static SyncEngine openCopy(Path dataDirectory) {
        var context = FrameworkUtil.getBundle(ServerApiTest.class).getBundleContext();
        var factory = context.getService(context.getServiceReference(SyncEngineFactory.class));
        return factory.open(dataDirectory, EngineSettings.defaults());
    }

    @Test
    void aBackupStreamsAsAZipThatOpensAsACompleteDatabaseAndLeavesNoCopyBehind() throws Exception {
        ProtocolClient node = ProtocolClient.register(base, "streamed");
        node.exchange(node.packet(node.widgets(12)));
        if (onPostgreSql()) {
            assertError(ProtocolClient.HTTP.send(HttpRequest.newBuilder(base.resolve("/api/admin/backup"))
                    .header("Authorization", "Bearer test-admin-token").GET().build(),
                    HttpResponse.BodyHandlers.ofString()), 409, "backup_not_here");
            return;
        }
        HttpResponse<InputStream> r = ProtocolClient.HTTP.send(HttpRequest.newBuilder(
                base.resolve("/api/admin/backup")).header("Authorization", "Bearer test-admin-token").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals("application/zip", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.headers().firstValue("Content-Disposition").orElse("").contains("trestle-backup-"));
        Path restored = Files.createTempDirectory("trestle-streamed");
        int entries = 0;
        try (ZipInputStream zip = new ZipInputStream(r.body())) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null;) {
                Path target = restored.resolve(e.getName()).normalize();
                assertTrue(target.startsWith(restored.resolve("db")), "every entry is inside db/: " + e.getName());
                Files.createDirectories(target.getParent());
                Files.copy(zip, target);
                entries++;
            }
        }
        assertTrue(entries > 10, "the database's files: " + entries);
        try (SyncEngine engine = openCopy(restored)) {
            assertEquals(12, engine.entities().list("Widget").stream()
                    .filter(e -> e.data().path("name").asText().startsWith(node.code + " widget")).count());
        }
        Path data = Path.of(System.getProperty("trestle.data.dir"));
        try (var left = Files.list(data.resolve("backups"))) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".streaming-")),
                    "the staging copy is gone once sent");
        }
    }

    @Test
    void anImportedFileMustCarryItsNodesSignatureAndAnEditedOneChangesNothing() throws Exception {
        ProtocolClient node = ProtocolClient.register(base, "file");
        ObjectNode packet = node.packet(node.widgets(3));
        byte[] json = ProtocolClient.JSON.writeValueAsBytes(packet);
        String key = SignedFiles.keyOf(node.token, node.nodeId);
        assertError(importFile(Gzip.compress(json)), 422, "invalid_signature");
        String forged = new String(json, StandardCharsets.UTF_8).replace("widget", "gadget");
        // the signature of the exported file over other content: the JSON changed, the header kept
        byte[] tampered = spliceSignature(SignedFiles.write(json, key),
                SignedFiles.write(forged.getBytes(StandardCharsets.UTF_8), key));
        assertError(importFile(tampered), 422, "invalid_signature");
        assertError(importFile(SignedFiles.write(json,
                SignedFiles.keyOf("someone-else", node.nodeId))), 422, "invalid_signature");
        // what the server's database holds of the token (its hash) does not sign a file
        assertError(importFile(SignedFiles.write(json,
                Secrets.hash(node.token))), 422, "invalid_signature");
        assertEquals(0, countWidgets(node), "nothing of a refused file was applied");

        HttpResponse<byte[]> ok = importRaw(SignedFiles.write(json, key));
        assertEquals(200, ok.statusCode());
        String answerSignature = SignedFiles.signature(ok.body());
        byte[] answerJson = Gzip.inflate(ok.body(), 1 << 20);
        assertTrue(SignedFiles.verify(answerJson, answerSignature, key),
                "the server's answer is signed for the node");
        assertEquals(3, countWidgets(node), "the signed file was applied");
    }

    /** The header (and signature) of one signed file in front of the compressed body of another. */
    private static byte[] spliceSignature(byte[] headerFrom, byte[] bodyFrom) {
        int headerEnd = 10;
        while (headerFrom[headerEnd] != 0) {
            headerEnd++;
        }
        int bodyStart = 10;
        while (bodyFrom[bodyStart] != 0) {
            bodyStart++;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(headerFrom, 0, headerEnd + 1);
        out.write(bodyFrom, bodyStart + 1, bodyFrom.length - bodyStart - 1);
        return out.toByteArray();
    }

    /** How many of the node's widgets the server holds, read through a fresh node's initial load. */
    private static long countWidgets(ProtocolClient node) throws Exception {
        ProtocolClient reader = ProtocolClient.register(base, "reader");
        long count = 0;
        for (int i = 0; i < 20; i++) {
            JsonNode answer = reader.exchange(reader.packet(null));
            for (JsonNode c : answer.path("packet_data").path("changes")) {
                if (c.path("data").path("name").asText().startsWith(node.code + " widget")) {
                    count++;
                }
            }
            if (!answer.path("packet_data").path("has_more").asBoolean() && answer.path("packet_data").path("changes").isEmpty()) {
                break;
            }
        }
        return count;
    }

    private static HttpResponse<String> importFile(byte[] file) throws Exception {
        return ProtocolClient.HTTP.send(HttpRequest.newBuilder(base.resolve("/api/admin/import"))
                .header("Authorization", "Bearer test-admin-token")
                .header("Content-Type", "application/vnd.sync.packet+gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(file)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<byte[]> importRaw(byte[] file) throws Exception {
        return ProtocolClient.HTTP.send(HttpRequest.newBuilder(base.resolve("/api/admin/import"))
                .header("Authorization", "Bearer test-admin-token")
                .header("Content-Type", "application/vnd.sync.packet+gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(file)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }
}
