package org.trestle.sync.api;

import java.util.List;

/**
 * What processing one incoming packet did.
 *
 * @param processed changes applied (or held until their references arrive)
 * @param skipped   changes already applied before, from a stale packet, or of deleted entities
 * @param errors    changes that could not be applied
 * @param conflicts conflicts met and how they ended
 * @since 0.1
 */
public record ProcessResult(int processed, int skipped, List<ChangeError> errors, List<ConflictReport> conflicts) {

    public ProcessResult {
        errors = List.copyOf(errors);
        conflicts = List.copyOf(conflicts);
    }
}
