package org.trestle.sync.core.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.trestle.sync.api.ChangeError;
import org.trestle.sync.api.ConflictReport;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.entity.SyncEntity;

/** What processing one packet did so far, and what its changes share while they apply. */
final class Outcome {
    int processed;
    int skipped;
    final List<ChangeError> errors = new ArrayList<>();
    final List<ConflictReport> conflicts = new ArrayList<>();
    /** Whether any change waits for a reference; when none does, there is nothing to look up. */
    boolean deferredExist;
    /** The entities this packet created or found, by uuid, for its later changes and references. */
    final Map<String, SyncEntity> known = new HashMap<>();
    /** Whether the database held no tombstone when the packet began. */
    boolean noTombstones;
    /** Tombstones this packet wrote. */
    final Set<String> tombstoned = new HashSet<>();
    /** The version of each entity type the sender runs, as its packet said (empty: it did not say). */
    Map<String, String> senderTypes = Map.of();
    /** Attributes of a later version of their type, set aside from the packet's changes, by entity uuid. */
    final Map<String, TypeVersioning.Adapted> setAside = new HashMap<>();
    /** Entities of the packet the database did not hold when it began, as type/uuid. */
    final Set<String> absent = new HashSet<>();

    /** What the bulk path wrote, by type (empty when the packet went the normal way). */
    Map<String, Long> bulk = Map.of();
    /** The entities whose derived values the bulk path recomputed, by uuid: the shared cache forgets them after the commit. */
    Map<String, Class<? extends SyncEntity>> derived = Map.of();

    ProcessResult result() {
        return new ProcessResult(processed, skipped, errors, conflicts);
    }
}
