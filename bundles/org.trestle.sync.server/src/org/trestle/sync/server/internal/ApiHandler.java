package org.trestle.sync.server.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.SyncProtocol;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.packet.Wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Routes the protocol's endpoints and the administrator's to their handlers, and turns
 * what they refuse into the protocol's JSON errors. Every answer is JSON (metrics
 * excepted, which are Prometheus text, and the console under {@code /admin/}, which is
 * HTML); unknown paths answer 404 and known paths with another method 405 with {@code Allow}.
 */
final class ApiHandler extends Handler.Abstract {

    /** The deepest nesting a request's JSON may have, as the packet codec allows. */
    private static final int MAX_NESTING = 32;

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    private static final String ADMIN = "/api/admin/";

    private final ObjectMapper json;
    private final ServerSettings settings;
    private final String serverVersion;
    private final UpdateSite updates;
    private final RegistrationEndpoint registration;
    private final ExchangeEndpoint exchanges;
    private final AdminEndpoints admin;
    private final Authentication auth;
    private final WaitEndpoint waits;
    private final org.trestle.sync.server.internal.console.Console console;

    ApiHandler(ObjectMapper json, SyncEngine engine, ServerSettings settings, String serverVersion, String enrollmentKey,
            FileKeys fileKeys) {
        this.json = json;
        this.settings = settings;
        this.serverVersion = serverVersion;
        this.updates = new UpdateSite(settings.updatesDirectory());
        // the envelope of a JSON exchange may hold the whole packet as one hex string
        JsonFactory factory = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING).maxNumberLength(100)
                .maxStringLength((int) Math.min(Integer.MAX_VALUE - 16, settings.maxBodyBytes() * 2)).build()).build();
        ObjectMapper envelope = new ObjectMapper(factory);
        Metrics metrics = new Metrics();
        this.auth = new Authentication(engine);
        this.registration = new RegistrationEndpoint(json, envelope, engine, settings, serverVersion, enrollmentKey, metrics,
                fileKeys);
        this.exchanges = new ExchangeEndpoint(json, envelope, engine, settings, auth, metrics, fileKeys);
        this.admin = new AdminEndpoints(json, engine, settings, auth, exchanges, metrics);
        this.waits = new WaitEndpoint(json, engine, auth);
        metrics.waiting = waits::waiting;
        this.console = new org.trestle.sync.server.internal.console.Console(json, engine, settings.updatesDirectory(),
                metrics.counters());
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        try {
            if (SyncProtocol.HEALTH_PATH.equals(path)) {
                allow(method, "GET", "HEAD");
                health(response, callback);
            } else if ((SyncProtocol.API_PREFIX + "/register").equals(path)) {
                allow(method, "POST");
                registration.register(request, response, callback);
            } else if ((SyncProtocol.API_PREFIX + "/wait").equals(path)) {
                allow(method, "GET");
                waits.waitFor(request, response, callback);
            } else if ((SyncProtocol.API_PREFIX + "/rotate").equals(path)) {
                allow(method, "POST");
                registration.rotate(request, response, callback, auth);
            } else if ((SyncProtocol.API_PREFIX + "/exchange").equals(path)) {
                allow(method, "POST");
                exchanges.exchange(request, response, callback);
            } else if (path.startsWith(SyncProtocol.API_PREFIX + "/status/")) {
                allow(method, "GET");
                exchanges.status(request, path.substring((SyncProtocol.API_PREFIX + "/status/").length()), response, callback);
            } else if (path.startsWith(ADMIN)) {
                admin.handle(request, path.substring(ADMIN.length()), method, response, callback);
            } else if (org.trestle.sync.server.internal.console.Console.owns(path)) {
                console.handle(request, response, callback);
            } else if (path.equals("/updates") || path.startsWith("/updates/")) {
                allow(method, "GET", "HEAD");
                updates.serve(path.substring("/updates".length()), "HEAD".equals(method), request, response, callback);
            } else {
                throw ApiError.notFound("No endpoint at " + Wire.abbreviate(path));
            }
        } catch (ApiError e) {
            if (e.allow != null) {
                response.getHeaders().put(HttpHeader.ALLOW, e.allow);
            }
            if (e.status == 413) {
                // the rest of the refused body is never read: the connection cannot carry another request
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            ErrorBody.writeError(json, response, callback, e.status, e.code, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Request " + method + " " + Wire.abbreviate(path) + " failed", e);
            ErrorBody.writeError(json, response, callback, 500, "internal_error", "The server could not handle the request");
        }
        return true;
    }

    /** Answers every waiting request and stops the wait timer. */
    @Override
    protected void doStop() throws Exception {
        waits.close();
        console.close();
        super.doStop();
    }

    static void allow(String method, String... methods) {
        for (String m : methods) {
            if (m.equals(method)) {
                return;
            }
        }
        throw ApiError.methodNotAllowed(method, methods);
    }

    // ------------------------------------------------------------------ health

    private void health(Response response, Callback callback) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ok");
        body.put("server_version", serverVersion);
        body.put("schema_version", settings.schemaVersion());
        ErrorBody.writeJson(json, response, callback, 200, body);
    }
}
