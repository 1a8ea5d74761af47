package org.trestle.sync.api;

import java.util.List;

/**
 * What one synchronization (one or more exchanges) did.
 *
 * @param exchanges the exchanges it took
 * @param sent      local changes the server applied
 * @param received  changes received from the server
 * @param errors    local changes the server could not apply
 * @param conflicts conflicts the server reported for local changes
 * @since 0.1
 */
public record SyncOutcome(int exchanges, int sent, int received, List<ChangeError> errors,
        List<ConflictReport> conflicts) {

    public SyncOutcome {
        errors = List.copyOf(errors);
        conflicts = List.copyOf(conflicts);
    }
}
