package org.trestle.sync.server.internal;

/** An answer other than success: the status, the machine code and the message for people. */
final class ApiError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int status;
    final String code;
    /** For 405: the methods the path takes, for the {@code Allow} header. */
    final String allow;

    ApiError(int status, String code, String message) {
        this(status, code, message, null);
    }

    private ApiError(int status, String code, String message, String allow) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.allow = allow;
    }

    static ApiError methodNotAllowed(String method, String... allowed) {
        return new ApiError(405, "method_not_allowed",
                "Method " + method + " is not allowed here; use " + String.join(" or ", allowed), String.join(", ", allowed));
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, "bad_request", message);
    }

    static ApiError unauthorized(String message) {
        return new ApiError(401, "unauthorized", message);
    }

    static ApiError forbidden(String message) {
        return new ApiError(403, "forbidden", message);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, "not_found", message);
    }
}
