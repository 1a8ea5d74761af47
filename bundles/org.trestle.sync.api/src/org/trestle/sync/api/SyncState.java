package org.trestle.sync.api;

import java.time.Instant;

/**
 * A snapshot of the client's synchronization, for status displays.
 *
 * @param status         where it stands
 * @param serverUrl      the server, or {@code null} before registration
 * @param nodeCode       this node's code, or {@code null}
 * @param nodeId         this node's id, or {@code null}
 * @param pendingChanges local changes not yet acknowledged by the server
 * @param openConflicts  conflicts waiting for a person
 * @param lastSuccess    when the last synchronization completed, or {@code null}
 * @param lastError      why the last attempt failed, or {@code null}
 * @param nextAttempt    when the background synchronization runs next, or {@code null}
 * @param waitingForPlugins changes received of entity types this computer has not installed,
 *                       by type name: kept, and applied once the plugin is installed
 * @since 0.1
 */
public record SyncState(SyncStatus status, String serverUrl, String nodeCode, String nodeId, long pendingChanges,
        int openConflicts, Instant lastSuccess, String lastError, Instant nextAttempt,
        java.util.Map<String, Long> waitingForPlugins) {

    public SyncState {
        waitingForPlugins = waitingForPlugins == null ? java.util.Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(waitingForPlugins));
    }

    public SyncState(SyncStatus status, String serverUrl, String nodeCode, String nodeId, long pendingChanges,
            int openConflicts, Instant lastSuccess, String lastError, Instant nextAttempt) {
        this(status, serverUrl, nodeCode, nodeId, pendingChanges, openConflicts, lastSuccess, lastError, nextAttempt,
                java.util.Map.of());
    }

    /** @return how many changes wait for a plugin, of all types */
    public long waitingForPluginsCount() {
        return waitingForPlugins.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * @return "N changes of types this computer does not have (A, B): update to receive
     *         them", or {@code null} when none wait
     */
    public String waitingForPluginsText() {
        long n = waitingForPluginsCount();
        return n == 0 ? null : n + (n == 1 ? " change" : " changes") + " of types this computer does not have ("
                + String.join(", ", waitingForPlugins.keySet()) + "): update to receive them";
    }
}
