package org.trestle.sync.server.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Semaphore;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.trestle.sync.api.packet.Wire;

/**
 * Serves a p2 repository directory at {@code /updates/}, read-only. Nothing outside the
 * directory is served, a symbolic link inside it that leads out included. Files are
 * streamed (a request costs a buffer, never the file), single byte ranges are honoured
 * (a workbench resumes a download), HEAD reads no file, and a bounded number of downloads
 * run at once; more are told to come back.
 */
final class UpdateSite {

    /** Downloads served at once; a site's artifacts are a few megabytes each. */
    static final int MAX_DOWNLOADS = 16;
    private static final int BUFFER = 64 * 1024;

    private final Path root;
    private final Semaphore downloads = new Semaphore(MAX_DOWNLOADS);

    UpdateSite(Path root) {
        this.root = root == null ? null : root.toAbsolutePath().normalize();
    }

    void serve(String relative, boolean headOnly, Request request, Response response, Callback callback) {
        Path file = resolve(relative);
        long size;
        String modified;
        try {
            size = Files.size(file);
            modified = DateTimeFormatter.RFC_1123_DATE_TIME.format(Files.getLastModifiedTime(file).toInstant()
                    .atZone(ZoneOffset.UTC));
        } catch (IOException e) {
            throw ApiError.notFound("No file " + Wire.abbreviate(relative) + " in the update site");
        }
        long from = 0;
        long to = size - 1;
        String range = request.getHeaders().get(HttpHeader.RANGE);
        boolean partial = false;
        if (range != null && size > 0) {
            long[] r = range(range, size);
            if (r == null) {
                response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes */" + size);
                throw new ApiError(416, "range_not_satisfiable", "The range " + Wire.abbreviate(range)
                        + " is not within the file's " + size + " bytes");
            }
            if (r.length == 2) {
                from = r[0];
                to = r[1];
                partial = true;
            }
        }
        if (!headOnly && !downloads.tryAcquire()) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, 5);
            throw new ApiError(503, "busy", "The server is sending " + MAX_DOWNLOADS + " files already; try again shortly");
        }
        response.setStatus(partial ? 206 : 200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType(file));
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, to - from + 1);
        response.getHeaders().put(HttpHeader.LAST_MODIFIED, modified);
        response.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
        if (partial) {
            response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes " + from + "-" + to + "/" + size);
        }
        if (headOnly) {
            response.write(true, ByteBuffer.allocate(0), callback);
            return;
        }
        try (SeekableByteChannel in = Files.newByteChannel(file); OutputStream out = Content.Sink.asOutputStream(response)) {
            in.position(from);
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
            long left = to - from + 1;
            while (left > 0) {
                buffer.clear().limit((int) Math.min(BUFFER, left));
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                out.write(buffer.array(), 0, n);
                left -= n;
            }
            callback.succeeded();
        } catch (IOException e) {
            callback.failed(e); // the client went away, or the file changed under the download
        } finally {
            downloads.release();
        }
    }

    /** @return the file, only when it is a regular file whose real path lies inside the site */
    private Path resolve(String relative) {
        if (root == null || !Files.isDirectory(root)) {
            throw ApiError.notFound("This server publishes no update site (start it with --updates-dir)");
        }
        String clean = relative.startsWith("/") ? relative.substring(1) : relative;
        if (clean.isEmpty()) {
            clean = "p2.index";
        }
        Path file = clean.contains("\\") || clean.indexOf('\0') >= 0 ? null : root.resolve(clean).normalize();
        try {
            if (file != null && file.startsWith(root) && Files.isRegularFile(file)
                    && file.toRealPath().startsWith(root.toRealPath())) {
                return file;
            }
        } catch (IOException e) {
            // reported below
        }
        throw ApiError.notFound("No file " + Wire.abbreviate(relative) + " in the update site");
    }

    /**
     * @return {from, to} of one byte range, an empty array when the header asks for
     *         something else this server answers in full (several ranges, another unit), or
     *         {@code null} when the range lies outside the file
     */
    static long[] range(String header, long size) {
        String h = header.trim();
        if (!h.startsWith("bytes=") || h.indexOf(',') >= 0) {
            return new long[0];
        }
        String spec = h.substring("bytes=".length()).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new long[0];
        }
        try {
            long from;
            long to;
            if (dash == 0) { // the last N bytes
                long n = Long.parseLong(spec.substring(1));
                if (n <= 0) {
                    return null;
                }
                from = Math.max(0, size - n);
                to = size - 1;
            } else {
                from = Long.parseLong(spec.substring(0, dash));
                to = dash == spec.length() - 1 ? size - 1 : Math.min(size - 1, Long.parseLong(spec.substring(dash + 1)));
            }
            return from < 0 || from >= size || to < from ? null : new long[] { from, to };
        } catch (NumberFormatException e) {
            return new long[0];
        }
    }

    private static String contentType(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jar")) {
            return "application/java-archive";
        }
        if (name.endsWith(".xml")) {
            return "application/xml";
        }
        if (name.endsWith(".xz")) {
            return "application/x-xz";
        }
        if (name.endsWith(".zip")) {
            return "application/zip";
        }
        return name.endsWith(".index") || name.endsWith(".properties") ? "text/plain; charset=utf-8"
                : "application/octet-stream";
    }
}
