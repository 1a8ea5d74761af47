package org.trestle.sync.server.internal;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.SyncEngine;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Online backups of the server's database, taken while nodes keep exchanging: written
 * into the data directory, or streamed to the administrator as a ZIP.
 */
final class Backups {

    private static final Logger LOG = LoggerFactory.getLogger(Backups.class);

    private final ObjectMapper json;
    private final SyncEngine engine;
    private final ServerSettings settings;

    Backups(ObjectMapper json, SyncEngine engine, ServerSettings settings) {
        this.json = json;
        this.engine = engine;
        this.settings = settings;
    }

    /**
     * {@code GET /api/admin/backup}: an online backup streamed as a ZIP of the database
     * folder, so that it can go straight to another machine (and through an encryption
     * tool on the way) without a copy staying on the server. The copy is taken into a
     * folder of the data directory first and removed once sent, sent or not.
     */
    void stream(String by, Response response, Callback callback) {
        refuseOnDatabaseServer();
        java.nio.file.Path staging = settings.dataDirectory().resolve("backups")
                .resolve(".streaming-" + java.util.UUID.randomUUID());
        String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
        try {
            java.nio.file.Path copy;
            synchronized (this) {
                copy = engine.administration().backup(staging);
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/zip");
            response.getHeaders().put("Content-Disposition", "attachment; filename=\"trestle-backup-" + stamp + ".zip\"");
            long bytes = 0;
            try (java.io.OutputStream out = org.eclipse.jetty.io.Content.Sink.asOutputStream(response);
                    java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(out);
                    var files = java.nio.file.Files.walk(copy)) {
                for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.sorted()::iterator) {
                    if (!java.nio.file.Files.isRegularFile(f)) {
                        continue;
                    }
                    zip.putNextEntry(new java.util.zip.ZipEntry("db/" + copy.relativize(f).toString().replace('\\', '/')));
                    bytes += java.nio.file.Files.copy(f, zip);
                    zip.closeEntry();
                }
            }
            LOG.info("Online backup of " + bytes + " bytes streamed to an administrator (token " + by + ")");
            callback.succeeded();
        } catch (java.io.IOException | RuntimeException e) {
            if (response.isCommitted()) {
                LOG.warn("A streamed backup was cut off: " + e.getMessage());
                callback.failed(e);
            } else {
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
        } finally {
            deleteTree(staging);
        }
    }

    private static void deleteTree(java.nio.file.Path root) {
        if (!java.nio.file.Files.exists(root)) {
            return;
        }
        try (var files = java.nio.file.Files.walk(root)) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                java.nio.file.Files.deleteIfExists(f);
            }
        } catch (java.io.IOException e) {
            LOG.warn("The staging copy " + root + " of a streamed backup could not be removed: " + e.getMessage());
        }
    }

    /**
     * An online backup of the server's database into DATA/backups/TIMESTAMP, taken while
     * nodes keep exchanging. The folder is chosen here, never by the request.
     */
    void write(Response response, Callback callback) {
        refuseOnDatabaseServer();
        java.nio.file.Path root = settings.dataDirectory().resolve("backups");
        String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
        java.nio.file.Path target = root.resolve(stamp);
        long started = System.nanoTime();
        java.nio.file.Path copy;
        synchronized (this) {
            copy = engine.administration().backup(target);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        long bytes;
        try (var files = java.nio.file.Files.walk(copy)) {
            bytes = files.filter(java.nio.file.Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (java.io.IOException e) {
            bytes = -1;
        }
        LOG.info("Online backup written to " + copy + " (" + bytes + " bytes, " + millis + " ms)");
        ErrorBody.writeJson(json, response, callback, 200, json.createObjectNode().put("backup", copy.toString())
                .put("bytes", bytes).put("duration_ms", millis)
                .put("restore", "stop the server, move " + engine.administration().databaseFolder() + " aside, copy " + copy
                        + " in its place, start the server"));
    }

    /** A database on PostgreSQL is backed up with PostgreSQL's own tools, not by the server. */
    private void refuseOnDatabaseServer() {
        if (settings.database() != null) {
            throw new ApiError(409, "backup_not_here", "The database is on PostgreSQL (" + settings.database().url()
                    + "): back it up with pg_dump, as the administrator's guide shows");
        }
    }
}
