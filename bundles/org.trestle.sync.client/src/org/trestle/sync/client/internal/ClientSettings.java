package org.trestle.sync.client.internal;

import java.time.Duration;
import java.time.Instant;

import org.eclipse.core.runtime.preferences.IEclipsePreferences;
import org.osgi.service.prefs.BackingStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.SyncStatus;

/**
 * The sync service's settings and its last known state, kept in the instance preferences
 * so that the command line and the next start see them. Every change is flushed at once.
 */
final class ClientSettings {

    private static final Logger LOG = LoggerFactory.getLogger(ClientSettings.class);

    private final IEclipsePreferences prefs;

    ClientSettings(IEclipsePreferences prefs) {
        this.prefs = prefs;
    }

    String serverUrl() {
        return prefs.get("serverUrl", null);
    }

    String fingerprint() {
        return prefs.get("fingerprint", null);
    }

    /** The server registered with, and the fingerprint of its certificate ({@code null}: trusted by the JDK). */
    void setServer(String url, String fingerprint) {
        prefs.put("serverUrl", url);
        if (fingerprint == null || fingerprint.isBlank()) {
            prefs.remove("fingerprint");
        } else {
            prefs.put("fingerprint", fingerprint.trim());
        }
        flush();
    }

    boolean autoSync() {
        return prefs.getBoolean("autoSync", true);
    }

    void setAutoSync(boolean on) {
        prefs.putBoolean("autoSync", on);
        flush();
    }

    Duration interval() {
        return Duration.ofSeconds(prefs.getLong("intervalSeconds", 300));
    }

    /** @throws IllegalArgumentException outside 10 seconds to 7 days */
    void setInterval(Duration interval) {
        if (interval.toSeconds() < 10 || interval.toDays() > 7) {
            throw new IllegalArgumentException("the interval must be between 10 seconds and 7 days");
        }
        prefs.putLong("intervalSeconds", interval.toSeconds());
        flush();
    }

    boolean compression() {
        return prefs.getBoolean("compression", true);
    }

    void setCompression(boolean on) {
        prefs.putBoolean("compression", on);
        flush();
    }

    /** @return the status last remembered, or {@code fallback} */
    SyncStatus status(SyncStatus fallback) {
        return SyncStatus.valueOf(prefs.get("status", fallback.name()));
    }

    Instant lastSuccess() {
        String last = prefs.get("lastSuccess", null);
        return last == null ? null : Instant.parse(last);
    }

    String lastError() {
        return prefs.get("lastError", null);
    }

    /** Remembers where synchronization stands. */
    void remember(SyncStatus status, Instant lastSuccess, String lastError) {
        prefs.put("status", status.name());
        if (lastSuccess != null) {
            prefs.put("lastSuccess", lastSuccess.toString());
        }
        if (lastError == null) {
            prefs.remove("lastError");
        } else {
            prefs.put("lastError", lastError);
        }
        flush();
    }

    private void flush() {
        try {
            prefs.flush();
        } catch (BackingStoreException e) {
            LOG.error("The sync settings could not be saved", e);
        }
    }
}
