package org.trestle.sync.api;

import java.util.List;

/**
 * What one exchange of {@link SyncManager#exchange} did.
 *
 * @param record    the packets and bytes that went each way
 * @param sent      this node's changes the server applied
 * @param received  the server's changes applied here
 * @param errors    this node's changes the server could not apply
 * @param conflicts conflicts the server reported for this node's changes
 * @param again     whether another exchange is needed: either side has more, or this one
 *                  brought changes that the next packet acknowledges
 * @since 0.1
 */
public record ExchangeStep(ExchangeRecord record, int sent, int received, List<ChangeError> errors,
        List<ConflictReport> conflicts, boolean again) {

    public ExchangeStep {
        errors = List.copyOf(errors);
        conflicts = List.copyOf(conflicts);
    }
}
