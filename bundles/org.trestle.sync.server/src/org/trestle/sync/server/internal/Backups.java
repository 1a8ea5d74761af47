package org.trestle.sync.server.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
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
        Path staging = settings.dataDirectory().resolve("backups")
                .resolve(".streaming-" + UUID.randomUUID());
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(ZoneOffset.UTC).format(Instant.now());
        try {
            Path copy;
            synchronized (this) {
                copy = engine.administration().backup(staging);
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/zip");
            response.getHeaders().put("Content-Disposition", "attachment; filename=\"trestle-backup-" + stamp + ".zip\"");
            long bytes = 0;
            try (OutputStream out = Content.Sink.asOutputStream(response);
                    ZipOutputStream zip = new ZipOutputStream(out);
                    var files = Files.walk(copy)) {
                for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                    if (!Files.isRegularFile(f)) {
                        continue;
                    }
                    zip.putNextEntry(new ZipEntry("db/" + copy.relativize(f).toString().replace('\\', '/')));
                    bytes += Files.copy(f, zip);
                    zip.closeEntry();
                }
            }
            LOG.info("Online backup of " + bytes + " bytes streamed to an administrator (token " + by + ")");
            callback.succeeded();
        } catch (IOException | RuntimeException e) {
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

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            LOG.warn("The staging copy " + root + " of a streamed backup could not be removed: " + e.getMessage());
        }
    }

    /**
     * An online backup of the server's database into DATA/backups/TIMESTAMP, taken while
     * nodes keep exchanging. The folder is chosen here, never by the request.
     */
    void write(Response response, Callback callback) {
        refuseOnDatabaseServer();
        Path root = settings.dataDirectory().resolve("backups");
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
                .withZone(ZoneOffset.UTC).format(Instant.now());
        Path target = root.resolve(stamp);
        long started = System.nanoTime();
        Path copy;
        synchronized (this) {
            copy = engine.administration().backup(target);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        long bytes;
        try (var files = Files.walk(copy)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
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
