package org.trestle.sync.server.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Writes JSON answers, and every error as {@code {"error": code, "message": text}}. */
final class ErrorBody {

    static final String JSON = "application/json; charset=utf-8";

    private ErrorBody() {
    }

    static void writeError(ObjectMapper json, Response response, Callback callback, int status, String code, String message) {
        ObjectNode body = json.createObjectNode();
        body.put("error", code);
        body.put("message", message);
        writeJson(json, response, callback, status, body);
    }

    static void writeJson(ObjectMapper json, Response response, Callback callback, int status, Object body) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (Exception e) {
            status = 500;
            bytes = "{\"error\":\"internal_error\",\"message\":\"The answer could not be written\"}"
                    .getBytes(StandardCharsets.UTF_8);
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /** The machine code for an HTTP status that Jetty itself answers with. */
    static String codeFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 408 -> "timeout";
            case 413 -> "too_large";
            case 414 -> "uri_too_long";
            case 415 -> "unsupported_media_type";
            case 422 -> "invalid_packet";
            case 431 -> "headers_too_large";
            case 503 -> "unavailable";
            default -> status >= 500 ? "internal_error" : "http_" + status;
        };
    }
}
