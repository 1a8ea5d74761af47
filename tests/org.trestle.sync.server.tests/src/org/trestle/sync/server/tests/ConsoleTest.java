package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The administrator's console over HTTP on loopback, as a browser and as an attacker
 * would use it: sign-in with the form's check, cookies, the CSRF token, a node token,
 * a revoked admin token, oversized forms, and the product version laptops say they run.
 * (The browser tests in org.trestle.console.tests drive the pages over HTTPS.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleTest {

    private static final String ADMIN = "test-admin-token";
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static URI base;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void connect() throws InterruptedException {
        base = RunningServer.uri();
    }

    @Test
    @Order(1)
    void signingInOpensASessionWhoseCookieScriptsCannotReadOrSendElsewhere() throws Exception {
        HttpResponse<String> signIn = signIn(ADMIN);
        assertEquals(303, signIn.statusCode(), signIn.body());
        assertEquals("/admin/nodes", signIn.headers().firstValue("Location").orElse(""));
        String cookie = signIn.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("trestle_console="))
                .findFirst().orElseThrow();
        assertTrue(cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Strict") && cookie.contains("; Path=/admin")
                && cookie.matches(".*; Max-Age=\\d+.*"), cookie);
        assertFalse(cookie.contains("Secure"), "plain HTTP on loopback: a Secure cookie would never come back");
        HttpResponse<String> nodes = get("/admin/nodes", session(signIn));
        assertEquals(200, nodes.statusCode());
        assertTrue(nodes.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
        assertEquals("no-store", nodes.headers().firstValue("Cache-Control").orElse(""));
        assertTrue(nodes.body().contains("<h1>Nodes</h1>"));
    }

    @Test
    @Order(2)
    void aNodesTokenDoesNotOpenTheConsole() throws Exception {
        ProtocolClient laptop = ProtocolClient.register(base, "CONSOLE");
        HttpResponse<String> refused = signIn(laptop.token);
        assertEquals(401, refused.statusCode());
        assertTrue(refused.body().contains("node&#39;s) token: the console needs an admin token"), refused.body());
        assertTrue(refused.headers().allValues("Set-Cookie").stream().noneMatch(c -> c.startsWith("trestle_console=")));
        for (String page : List.of("/admin/nodes", "/admin/health.json", "/admin/conflicts")) {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(base.resolve(page))
                    .header("Authorization", "Bearer " + laptop.token).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(303, answer.statusCode(), page + ": a bearer token is not a session");
        }
    }

    @Test
    @Order(3)
    void formsWithoutTheirCheckOrFromAnotherSiteChangeNothing() throws Exception {
        String session = session(signIn(ADMIN));
        String csrf = csrf(get("/admin/nodes", session).body());
        HttpResponse<String> noCheck = post("/admin/sign-out", session, "csrf=", null);
        assertEquals(403, noCheck.statusCode());
        HttpResponse<String> elsewhere = post("/admin/sign-out", session, "csrf=" + csrf, "https://elsewhere.example");
        assertEquals(403, elsewhere.statusCode());
        assertEquals(200, get("/admin/nodes", session).statusCode(), "the session is still open");
        HttpResponse<String> signedOut = post("/admin/sign-out", session, "csrf=" + csrf, base.toString().replaceAll("/$", ""));
        assertEquals(200, signedOut.statusCode(), signedOut.body());
        assertEquals(303, get("/admin/nodes", session).statusCode(), "closed after signing out");
        HttpResponse<String> noFormCheck = HTTP.send(HttpRequest.newBuilder(base.resolve("/admin/sign-in"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + ADMIN)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, noFormCheck.statusCode(), "a sign-in posted without the form's own cookie");
    }

    @Test
    @Order(4)
    void behindATlsProxyOnThisComputerFormsWorkAndTheCookieIsSecure() throws Exception {
        HttpResponse<String> form = HTTP.send(HttpRequest.newBuilder(base.resolve("/admin/sign-in"))
                .header("X-Forwarded-Proto", "https").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(form.headers().allValues("Set-Cookie").stream().allMatch(c -> c.endsWith("; Secure")),
                form.headers().allValues("Set-Cookie").toString());
        String session = session(signIn(ADMIN));
        String csrf = csrf(get("/admin/nodes", session).body());
        String proxied = "https://" + base.getAuthority();
        assertEquals(200, post("/admin/sign-out", session, "csrf=" + csrf, proxied).statusCode(),
                "the origin the browser saw through the proxy: same host and port, https");
    }

    @Test
    @Order(5)
    void revokingAnAdminTokenEndsItsSessions() throws Exception {
        String name = "console-" + System.nanoTime();
        HttpResponse<String> created = admin("POST", "/api/admin/tokens", "{\"name\": \"" + name + "\"}");
        assertEquals(201, created.statusCode(), created.body());
        String token = ProtocolClient.JSON.readTree(created.body()).get("token").asText();
        String session = session(signIn(token));
        assertEquals(200, get("/admin/updates", session).statusCode());
        assertEquals(200, admin("POST", "/api/admin/tokens/" + name + "/revoke", null).statusCode());
        assertEquals(303, get("/admin/updates", session).statusCode(), "the revoked token's session ended");
    }

    @Test
    @Order(6)
    void oversizedOrMalformedFormsAreRefusedBeforeTheyCostMemory() throws Exception {
        String session = session(signIn(ADMIN));
        String big = "csrf=x&scope=" + "a".repeat(300 * 1024);
        assertEquals(413, post("/admin/sign-out", session, big, null).statusCode());
        HttpResponse<String> json = HTTP.send(HttpRequest.newBuilder(base.resolve("/admin/sign-out"))
                .header("Cookie", session).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(415, json.statusCode());
        assertEquals(404, get("/admin/nodes/not-a-node/scope", session).statusCode());
        assertEquals(404, get("/admin/assets/server.p12", session).statusCode(), "only the console's own files");
    }

    @Test
    @Order(7)
    void theProductVersionALaptopSaysIsKeptForTheConsole() throws Exception {
        ProtocolClient laptop = ProtocolClient.register(base, "VERSION");
        String body = "{\"packet_data\": " + laptop.packet(null) + "}";
        HttpResponse<String> exchanged = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/sync/exchange"))
                .header("Authorization", "Bearer " + laptop.token).header("Content-Type", "application/json")
                .header("User-Agent", "Trestle/0.9.3.202612010800").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, exchanged.statusCode(), exchanged.body());
        JsonNode nodes = ProtocolClient.JSON.readTree(admin("GET", "/api/admin/nodes", null).body()).get("nodes");
        JsonNode node = null;
        for (JsonNode n : nodes) {
            node = laptop.nodeId.equals(n.get("node_id").asText()) ? n : node;
        }
        assertEquals("0.9.3.202612010800", node.get("product_version").asText());
        String page = get("/admin/nodes?q=VERSION", session(signIn(ADMIN))).body();
        assertTrue(page.contains("0.9.3.202612010800"), "the console shows it");
    }

    @Test
    @Order(8)
    void aConflictIsDecidedInTheConsoleWithAValueTheOfficeTypes() throws Exception {
        ProtocolClient a = ProtocolClient.register(base, "TYPED-A");
        ProtocolClient b = ProtocolClient.register(base, "TYPED-B");
        String project = java.util.UUID.randomUUID().toString();
        String estimate = java.util.UUID.randomUUID().toString();
        assertEquals(1, a.exchange(a.packet(a.change("Project", project, "INSERT", ProtocolClient.JSON.createObjectNode()
                .put("code", "TY-" + project.substring(0, 6)).put("name", "Typed road").put("status", "ACTIVE"))))
                .path("processed_count").asInt());
        assertEquals(1, a.exchange(a.packet(a.change("Estimate", estimate, "INSERT", estimate(project, "Typed"))))
                .path("processed_count").asInt());
        drain(b);
        b.exchange(b.packet(b.change("Estimate", estimate, "UPDATE", estimate(project, "From B"))));
        JsonNode met = a.exchange(a.packet(a.change("Estimate", estimate, "UPDATE", estimate(project, "From A"))));
        assertEquals("manual_pending", met.path("conflicts").path(0).path("resolution").asText(), met.toString());
        String version = ProtocolClient.JSON.readTree(admin("GET", "/api/admin/conflicts?entity_uuid=" + estimate, null)
                .body()).path("conflicts").path(0).path("version_id").asText();
        String session = session(signIn(ADMIN));
        String page = get("/admin/conflicts?type=Estimate", session).body();
        assertTrue(page.contains("data-version=\"" + version + "\"") && page.contains("From A") && page.contains("From B"),
                "both versions side by side");
        String form = "csrf=" + csrf(page) + "&version_id=" + version + "&entity_type=Estimate&entity_uuid=" + estimate
                + "&take=choice&a%3Atitle=typed&v%3Atitle=" + java.net.URLEncoder.encode("Agreed on site",
                        java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> decided = post("/admin/conflicts/resolve", session, form, null);
        assertEquals(303, decided.statusCode(), decided.body());
        assertEquals(0, ProtocolClient.JSON.readTree(admin("GET", "/api/admin/conflicts?entity_uuid=" + estimate, null)
                .body()).path("conflicts").size(), "the conflict is closed");
        assertEquals(409, post("/admin/conflicts/resolve", session, form, null).statusCode(), "and cannot be decided twice");
        String title = null;
        for (JsonNode change : drain(b)) {
            if (estimate.equals(change.path("entity_uuid").asText())) {
                title = change.path("data").path("title").asText();
            }
        }
        assertEquals("Agreed on site", title, "the decision reaches the laptops");
    }

    private static ObjectNode estimate(String project, String title) {
        return ProtocolClient.JSON.createObjectNode().put("project", project).put("number", "E-T").put("title", title)
                .put("status", "DRAFT").put("currency", "EUR");
    }

    /** @return every change the server sends the laptop until it has nothing more */
    private static List<JsonNode> drain(ProtocolClient laptop) throws Exception {
        List<JsonNode> changes = new java.util.ArrayList<>();
        for (int round = 0; round < 100; round++) {
            JsonNode answer = laptop.exchange(laptop.packet(null));
            answer.path("packet_data").path("changes").forEach(changes::add);
            if (!answer.path("packet_data").path("has_more").asBoolean()) {
                break;
            }
        }
        return changes;
    }

    @Test
    @Order(9)
    void anOperatorsTokenIsMadeShownOnceAndRevokedInTheConsole() throws Exception {
        String session = session(signIn(ADMIN));
        String csrf = csrf(get("/admin/tokens", session).body());
        String name = "operator-" + System.nanoTime();
        HttpResponse<String> made = post("/admin/tokens", session, "csrf=" + csrf + "&name=" + name, null);
        assertEquals(200, made.statusCode(), made.body());
        Matcher shown = Pattern.compile("id=\"new-token\" class=\"token\">([^<]+)<").matcher(made.body());
        assertTrue(shown.find(), made.body());
        String token = shown.group(1);
        assertFalse(get("/admin/tokens", session).body().contains(token), "shown once only");
        assertEquals(303, signIn(token).statusCode(), "the new token signs in");
        HttpResponse<String> bad = post("/admin/tokens", session, "csrf=" + csrf + "&name=two+words", null);
        assertEquals(422, bad.statusCode());
        assertTrue(bad.body().contains("A token name is 1 to 64 letters"), bad.body());
        HttpResponse<String> revoked = post("/admin/tokens/revoke", session, "csrf=" + csrf + "&name=" + name, null);
        assertEquals(303, revoked.statusCode(), revoked.body());
        assertEquals(401, signIn(token).statusCode(), "the revoked token no longer signs in");
        assertTrue(get("/admin/tokens", session).body().contains("data-name=\"" + name + "\" class=\"revoked\""));
    }

    @Test
    @Order(10)
    void repeatedFailedSignInsAreRefusedForAWhile() throws Exception {
        int status = 0;
        for (int i = 0; i < 12 && status != 429; i++) {
            status = signIn("wrong-" + i).statusCode();
        }
        assertEquals(429, status);
        HttpResponse<String> right = signIn(ADMIN);
        assertEquals(429, right.statusCode(), "even the right token waits until the window has passed");
        assertTrue(right.body().contains("Too many failed sign-ins"), right.body());
    }

    /** Signs in as the form does: read the form (and its cookie), post it back. */
    private static HttpResponse<String> signIn(String token) throws Exception {
        HttpResponse<String> form = get("/admin/sign-in", null);
        String check = cookie(form, "trestle_console_sign_in");
        Matcher m = Pattern.compile("name=\"check\" value=\"([^\"]+)\"").matcher(form.body());
        assertTrue(m.find(), form.body());
        assertEquals(check, m.group(1));
        return post("/admin/sign-in", "trestle_console_sign_in=" + check,
                "check=" + check + "&token=" + java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8),
                null);
    }

    private static String session(HttpResponse<String> signIn) {
        return "trestle_console=" + cookie(signIn, "trestle_console");
    }

    private static String cookie(HttpResponse<String> response, String name) {
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "=")).findFirst()
                .map(c -> c.substring(name.length() + 1, c.indexOf(';'))).orElseThrow(() -> new AssertionError("no " + name));
    }

    private static String csrf(String page) {
        Matcher m = CSRF.matcher(page);
        assertTrue(m.find(), page);
        return m.group(1);
    }

    private static HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).GET();
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String cookie, String form, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> admin(String method, String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/json").method(method, json == null
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
