package org.trestle.sync.server.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/** Reading requests within limits. */
public final class Http {

    private Http() {
    }

    /** A body over the limit is still read (and dropped) up to this many times the limit, so that the sender sees the 413 (with the default limit of 16 MiB, up to 32 MiB are read, none kept). */
    private static final long DRAIN_FACTOR = 2;

    /**
     * Reads the whole body, refusing it (413) as soon as it passes the limit, never
     * keeping more than the limit in memory. The rest of a body somewhat over the limit
     * is read and dropped first: a client still sending would otherwise meet a closed
     * connection instead of the answer. A body declared far larger is refused at once.
     */
    static byte[] body(Request request, long limit) {
        long declared = request.getLength();
        if (declared > limit * DRAIN_FACTOR) {
            throw tooLarge(limit);
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            if (declared > limit) {
                drain(in, declared);
                throw tooLarge(limit);
            }
            byte[] bytes = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 16));
            if (bytes.length > limit) {
                drain(in, limit * DRAIN_FACTOR);
                throw tooLarge(limit);
            }
            return bytes;
        } catch (IOException e) {
            throw ApiError.badRequest("the request body could not be read: " + e.getMessage());
        }
    }

    /**
     * Reads and drops the body of a request refused for its size, when it is declared at
     * most {@code atMost} bytes, so that a sender still sending sees the answer rather than
     * a closed connection; a larger one is left unread (the connection is then closed).
     */
    public static void dropRefusedBody(Request request, long atMost) {
        long declared = request.getLength();
        if (declared < 0 || declared > atMost) {
            return;
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            drain(in, declared);
        } catch (IOException e) {
            // the sender went away: nothing to answer
        }
    }

    private static void drain(InputStream in, long atMost) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long read = 0;
        for (int n; read < atMost && (n = in.read(buffer, 0, (int) Math.min(buffer.length, atMost - read))) > 0;) {
            read += n;
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
