package org.trestle.sync.server.internal;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Answers the errors Jetty raises on its own (malformed requests, oversized headers,
 * failures inside a handler) in the protocol's JSON error shape: never an HTML page,
 * never a stack trace.
 */
final class JsonErrorHandler extends ErrorHandler {

    private final ObjectMapper json;

    JsonErrorHandler(ObjectMapper json) {
        this.json = json;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        String text = code >= 500 ? "The server could not handle the request" : HttpStatus.getMessage(code);
        if (code < 500 && message != null && !message.isBlank() && message.length() < 200) {
            text = message;
        }
        ErrorBody.writeError(json, response, callback, code, ErrorBody.codeFor(code), text);
    }
}
