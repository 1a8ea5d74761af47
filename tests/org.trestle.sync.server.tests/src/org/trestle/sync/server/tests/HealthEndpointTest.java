package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The server over real HTTP on loopback: health, and errors that are always JSON. */
class HealthEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static URI base;
    private static HttpClient http;

    @BeforeAll
    static void connect() throws InterruptedException {
        base = RunningServer.uri();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Test
    void healthAnswersPerProtocol() throws Exception {
        HttpResponse<String> response = send("GET", "/api/sync/health");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode body = JSON.readTree(response.body());
        assertEquals("ok", body.path("status").asText());
        assertEquals("1.0.0", body.path("schema_version").asText());
        assertTrue(body.path("server_version").asText().matches("\\d+\\.\\d+\\.\\d+"), body.toString());
        assertEquals(3, body.size(), "health carries exactly status, server_version and schema_version");
    }

    @Test
    void unknownPathIsJson404() throws Exception {
        HttpResponse<String> response = send("GET", "/api/sync/nothing-here");
        assertEquals(404, response.statusCode());
        assertError(response, "not_found");
    }

    @Test
    void wrongMethodIsJson405WithAllow() throws Exception {
        HttpResponse<String> response = send("DELETE", "/api/sync/health");
        assertEquals(405, response.statusCode());
        assertError(response, "method_not_allowed");
        assertEquals("GET, HEAD", response.headers().firstValue("Allow").orElse(""));
    }

    @Test
    void malformedHttpIsAnsweredAsJsonNotHtml() throws Exception {
        String raw = "GET /api/sync/health HTTP/1.1\r\nHost: localhost\r\nContent-Length: banana\r\n\r\n";
        String answer = rawExchange(raw);
        assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        JsonNode json = JSON.readTree(body);
        assertEquals("bad_request", json.path("error").asText(), answer);
        assertTrue(!body.contains("<html") && !body.contains("Exception"), body);
    }

    private static void assertError(HttpResponse<String> response, String code) throws IOException {
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode body = JSON.readTree(response.body());
        assertEquals(code, body.path("error").asText());
        assertTrue(body.path("message").isTextual() && !body.path("message").asText().isBlank());
        assertEquals(2, body.size(), "an error body holds exactly error and message");
    }

    private static HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String rawExchange(String request) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
