package org.trestle.sync.client.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.equinox.app.IApplication;
import org.eclipse.equinox.app.IApplicationContext;
import org.trestle.sync.api.trust.PinnedTrust;
import org.trestle.sync.client.ServerUrl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code bin/trestle-admin}: the server's administration API from a shell, for
 * administrators and their scripts. The admin token is read from a file or the
 * environment, never from the command line (where {@code ps} would show it); a
 * self-signed server is trusted by its pinned certificate fingerprint. Prints the
 * server's JSON answer; exit code 0 on success, 1 when the server refuses or cannot be
 * reached, 2 for a usage mistake.
 */
public final class AdminCommandLine implements IApplication {

    static final String USAGE = """
            Usage: trestle-admin --server URL [--token-file FILE] [--fingerprint SHA256] <command>
              nodes                              every node: code, last sync, pending changes
              conflicts [--type T] [--uuid U]    open manual conflicts
              errors [--type T] [--uuid U]       changes the server could not apply
              revoke NODE_ID                     refuse the node's token from now on
              release NODE_ID                    free a revoked node's code for a new registration
              scope NODE_ID [--set all|UUID,...] the roots (projects) a node receives; --set changes them
              restore TYPE UUID [--version ID]   bring a deleted entity back on every node
              backup                             an online backup into the data directory
              prune                              prune the sync log now (the server also does hourly)
              tokens                             the admin tokens: name, created, revoked
              token-create NAME                  a new admin token, printed once
              token-revoke NAME                  refuse an admin token from now on
              metrics                            the Prometheus metrics
            The token comes from --token-file, else TRESTLE_ADMIN_TOKEN_FILE or TRESTLE_ADMIN_TOKEN.
            """;

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final ObjectMapper json = new ObjectMapper();

    /** A mistake in the command line. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** The server refused or could not be reached. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    @Override
    public Object start(IApplicationContext context) {
        String[] args = (String[]) context.getArguments().getOrDefault(IApplicationContext.APPLICATION_ARGS, new String[0]);
        context.applicationRunning();
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        if (rest.isEmpty() || rest.contains("--help") || rest.contains("-h")) {
            System.out.print(USAGE);
            return rest.isEmpty() ? Integer.valueOf(2) : EXIT_OK;
        }
        try {
            System.out.println(run(rest, System.getenv()));
            return EXIT_OK;
        } catch (UsageException e) {
            System.err.println("trestle-admin: " + e.getMessage());
            System.err.print(USAGE);
            return Integer.valueOf(2);
        } catch (Refused | IllegalArgumentException e) {
            System.err.println("trestle-admin: " + String.valueOf(e.getMessage()).replace('\n', ' '));
            return Integer.valueOf(1);
        }
    }

    @Override
    public void stop() {
        // one request; nothing to interrupt
    }

    /** Runs one command; returns what to print. */
    String run(List<String> args, Map<String, String> environment) throws UsageException, Refused {
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--")) {
                String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
                String value;
                if (a.contains("=")) {
                    value = a.substring(a.indexOf('=') + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new UsageException(a + " needs a value");
                }
                if (!List.of("--server", "--token-file", "--fingerprint", "--type", "--uuid", "--version", "--set").contains(name)) {
                    throw new UsageException("unknown option '" + name + "'");
                }
                options.put(name, value);
            } else {
                positional.add(a);
            }
        }
        if (positional.isEmpty()) {
            throw new UsageException("a command is missing");
        }
        String server = options.get("--server");
        if (server == null || server.isBlank()) {
            throw new UsageException("--server is required");
        }
        URI base;
        try {
            base = ServerUrl.parse(server.trim().replaceAll("/+$", "") + "/");
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        String token = token(options.get("--token-file"), environment);
        String command = positional.get(0);
        List<String> operands = positional.subList(1, positional.size());
        return switch (command) {
            case "nodes" -> send(base, token, options, "GET", "api/admin/nodes", null, operands, 0);
            case "conflicts" -> send(base, token, options, "GET", "api/admin/conflicts" + filter(options), null, operands, 0);
            case "errors" -> send(base, token, options, "GET", "api/admin/errors" + filter(options), null, operands, 0);
            case "revoke" -> send(base, token, options, "POST", "api/admin/nodes/" + segment(operands, 0, "NODE_ID")
                    + "/revoke", null, operands, 1);
            case "release" -> send(base, token, options, "POST", "api/admin/nodes/" + segment(operands, 0, "NODE_ID")
                    + "/release", null, operands, 1);
            case "scope" -> {
                String path = "api/admin/nodes/" + segment(operands, 0, "NODE_ID") + "/scope";
                String set = options.get("--set");
                if (set == null) {
                    yield send(base, token, options, "GET", path, null, operands, 1);
                }
                ObjectNode body = json.createObjectNode();
                if ("all".equals(set.trim())) {
                    body.put("scope", "all");
                } else {
                    var roots = body.putArray("scope");
                    for (String r : set.split(",")) {
                        if (!r.isBlank()) {
                            roots.add(r.trim());
                        }
                    }
                }
                yield send(base, token, options, "PUT", path, body.toString(), operands, 1);
            }
            case "restore" -> {
                ObjectNode body = json.createObjectNode();
                if (options.get("--version") != null) {
                    body.put("version_id", options.get("--version"));
                }
                yield send(base, token, options, "POST", "api/admin/entities/" + segment(operands, 0, "TYPE") + "/"
                        + segment(operands, 1, "UUID") + "/restore", body.toString(), operands, 2);
            }
            case "backup" -> send(base, token, options, "POST", "api/admin/backup", null, operands, 0);
            case "tokens" -> send(base, token, options, "GET", "api/admin/tokens", null, operands, 0);
            case "token-create" -> {
                segment(operands, 0, "NAME");
                yield send(base, token, options, "POST", "api/admin/tokens",
                        json.createObjectNode().put("name", operands.get(0)).toString(), operands, 1);
            }
            case "token-revoke" -> send(base, token, options, "POST", "api/admin/tokens/" + segment(operands, 0, "NAME")
                    + "/revoke", null, operands, 1);
            case "prune" -> send(base, token, options, "POST", "api/admin/prune", null, operands, 0);
            case "metrics" -> send(base, token, options, "GET", "api/admin/metrics", null, operands, 0);
            default -> throw new UsageException("unknown command '" + command + "'");
        };
    }

    private static String token(String file, Map<String, String> environment) throws UsageException {
        String path = file != null ? file : environment.get("TRESTLE_ADMIN_TOKEN_FILE");
        if (path != null && !path.isBlank()) {
            try {
                String t = Files.readString(Path.of(path), StandardCharsets.UTF_8).trim();
                if (t.isEmpty()) {
                    throw new UsageException("the token file " + path + " is empty");
                }
                return t;
            } catch (IOException e) {
                throw new UsageException("cannot read the token file " + path + ": " + e.getMessage());
            }
        }
        String t = environment.get("TRESTLE_ADMIN_TOKEN");
        if (t == null || t.isBlank()) {
            throw new UsageException("no admin token: give --token-file FILE (the server writes admin.token in its data"
                    + " directory) or set TRESTLE_ADMIN_TOKEN_FILE or TRESTLE_ADMIN_TOKEN");
        }
        return t.trim();
    }

    private static String filter(Map<String, String> options) {
        StringBuilder q = new StringBuilder();
        if (options.get("--type") != null) {
            q.append(q.length() == 0 ? '?' : '&').append("entity_type=").append(enc(options.get("--type")));
        }
        if (options.get("--uuid") != null) {
            q.append(q.length() == 0 ? '?' : '&').append("entity_uuid=").append(enc(options.get("--uuid")));
        }
        return q.toString();
    }

    private static String segment(List<String> operands, int index, String name) throws UsageException {
        if (operands.size() <= index) {
            throw new UsageException(name + " is missing");
        }
        String v = operands.get(index);
        if (v.isEmpty() || v.contains("/") || v.length() > 200) {
            throw new UsageException("invalid " + name + " '" + v + "'");
        }
        return enc(v);
    }

    private static String enc(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private String send(URI base, String token, Map<String, String> options, String method, String path, String body,
            List<String> operands, int expectedOperands) throws UsageException, Refused {
        if (operands.size() > expectedOperands) {
            throw new UsageException("unexpected '" + operands.get(expectedOperands) + "'");
        }
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1);
        String fingerprint = options.get("--fingerprint");
        if (fingerprint != null && !fingerprint.isBlank()) {
            builder.sslContext(PinnedTrust.context(fingerprint));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token);
        if (body != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try (HttpClient http = builder.build()) {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new Refused("the server " + base + " cannot be reached");
        } catch (IOException e) {
            throw new Refused("the connection to " + base + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused("interrupted");
        }
        if (response.statusCode() / 100 != 2) {
            String message = response.body();
            try {
                JsonNode error = json.readTree(response.body());
                message = error.path("message").asText(message);
            } catch (IOException | RuntimeException e) {
                // not JSON: shown as it came
            }
            throw new Refused("the server refused (HTTP " + response.statusCode() + "): " + message);
        }
        return response.body().strip();
    }
}
