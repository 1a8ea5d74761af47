package org.trestle.sync.server.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.trestle.sync.api.SyncProtocol;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Routes the protocol's endpoints. Unknown paths answer 404 and known paths with the
 * wrong method 405 (with {@code Allow}), both as JSON.
 */
final class ApiHandler extends Handler.Abstract {

    private final ObjectMapper json;
    private final String serverVersion;
    private final String schemaVersion;

    ApiHandler(ObjectMapper json, String serverVersion, String schemaVersion) {
        this.json = json;
        this.serverVersion = serverVersion;
        this.schemaVersion = schemaVersion;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        if (SyncProtocol.HEALTH_PATH.equals(path)) {
            if (!allow(Set.of("GET", "HEAD"), method, response, callback)) {
                return true;
            }
            health(response, callback);
            return true;
        }
        ErrorBody.writeError(json, response, callback, 404, "not_found", "No endpoint at " + path);
        return true;
    }

    private boolean allow(Set<String> methods, String method, Response response, Callback callback) {
        if (methods.contains(method)) {
            return true;
        }
        response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", methods.stream().sorted().toList()));
        ErrorBody.writeError(json, response, callback, 405, "method_not_allowed",
                "Method " + method + " is not allowed here; use " + String.join(" or ", methods.stream().sorted().toList()));
        return false;
    }

    private void health(Response response, Callback callback) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ok");
        body.put("server_version", serverVersion);
        body.put("schema_version", schemaVersion);
        ErrorBody.writeJson(json, response, callback, 200, body);
    }
}
