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
 * @since 0.1
 */
public record SyncState(SyncStatus status, String serverUrl, String nodeCode, String nodeId, long pendingChanges,
        int openConflicts, Instant lastSuccess, String lastError, Instant nextAttempt) {
}
