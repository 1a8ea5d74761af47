package org.trestle.sync.server.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/** Reading requests within limits. */
final class Http {

    private Http() {
    }

    /**
     * Reads the whole body, refusing it (413) as soon as it passes the limit, before
     * reading more than the limit.
     */
    static byte[] body(Request request, long limit) {
        long declared = request.getLength();
        if (declared > limit) {
            throw tooLarge(limit);
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 16));
            if (bytes.length > limit) {
                throw tooLarge(limit);
            }
            return bytes;
        } catch (IOException e) {
            throw ApiError.badRequest("the request body could not be read: " + e.getMessage());
        }
    }

    private static ApiError tooLarge(long limit) {
        return new ApiError(413, "too_large", "the request body is larger than the limit of " + limit + " bytes");
    }

    /** @return the media type without parameters, lower case, or "" */
    static String mediaType(Request request) {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null) {
            return "";
        }
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    /** @return the bearer token, or {@code null} */
    static String bearer(Request request) {
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() || token.length() > 512 ? null : token;
    }
}
