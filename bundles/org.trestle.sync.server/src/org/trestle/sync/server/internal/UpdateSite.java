package org.trestle.sync.server.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves a p2 repository directory at {@code /updates/}, read-only, never outside the
 * directory.
 */
final class UpdateSite {

    private final Path root;

    UpdateSite(Path root) {
        this.root = root == null ? null : root.toAbsolutePath().normalize();
    }

    void serve(String relative, boolean headOnly, Response response, Callback callback) {
        if (root == null || !Files.isDirectory(root)) {
            throw ApiError.notFound("This server publishes no update site (start it with --updates-dir)");
        }
        String clean = relative.startsWith("/") ? relative.substring(1) : relative;
        if (clean.isEmpty()) {
            clean = "p2.index";
        }
        Path file = clean.contains("\\") || clean.indexOf('\0') >= 0 ? null : root.resolve(clean).normalize();
        if (file == null || !file.startsWith(root) || !Files.isRegularFile(file) || Files.isSymbolicLink(file)) {
            throw ApiError.notFound("No file " + org.trestle.sync.api.packet.Wire.abbreviate(relative) + " in the update site");
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType(file));
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
            response.getHeaders().put(HttpHeader.LAST_MODIFIED, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                    .format(Files.getLastModifiedTime(file).toInstant().atZone(java.time.ZoneOffset.UTC)));
            response.write(true, headOnly ? ByteBuffer.allocate(0) : ByteBuffer.wrap(bytes), callback);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
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
