package org.trestle.sync.api;

/**
 * Event Admin topics the client sync service posts (e4 parts subscribe with
 * {@code @UIEventTopic}). Properties are listed per topic; {@link #PROPERTY_STATE}
 * always carries the {@link SyncState} after the event.
 *
 * @since 0.1
 */
public final class SyncTopics {

    /** The root of every sync topic; subscribe to {@code org/trestle/sync/*} for all. */
    public static final String ALL = "org/trestle/sync/*";

    /** A synchronization started. */
    public static final String STARTED = "org/trestle/sync/started";

    /** A synchronization completed; properties: processed, errors, conflicts (counts). */
    public static final String COMPLETED = "org/trestle/sync/completed";

    /** A synchronization failed; property: reason. */
    public static final String FAILED = "org/trestle/sync/failed";

    /**
     * The server reported conflicts for this node's changes; properties: conflicts (count),
     * reports (the {@code List<ConflictReport>}: which entity, and how each was decided).
     */
    public static final String CONFLICT = "org/trestle/sync/conflict";

    /** The status changed (online, offline, syncing, ...). */
    public static final String STATUS = "org/trestle/sync/status";

    /**
     * Progress of a running synchronization; property phase: {@link #PHASE_RECEIVING} or
     * {@link #PHASE_WRITING}. While receiving: received (count), more (boolean), total (what
     * this synchronization receives in all, as the server said after the first exchange
     * when more than one packet was coming; else as received so far). While writing a new
     * computer's initial load, kept as it arrived, into its tables: written (count), total
     * (the load's entities), more (false once all are written).
     */
    public static final String PROGRESS = "org/trestle/sync/progress";

    /** One exchange with the server completed; properties: sent, received (counts of changes). */
    public static final String EXCHANGED = "org/trestle/sync/exchanged";

    /**
     * Entities arrived in bulk (an initial load, a project entering this computer's scope),
     * written past the per-entity path; property: counts (entity type name to number). Posted
     * once per packet so written (once for a new computer's whole initial load), after its
     * commit, derived values (totals) recomputed.
     */
    public static final String BULK_LOADED = "org/trestle/sync/bulkLoaded";

    public static final String PROPERTY_STATE = "state";
    public static final String PROPERTY_COUNTS = "counts";
    public static final String PROPERTY_TOTAL = "total";
    public static final String PROPERTY_SENT = "sent";
    public static final String PROPERTY_PROCESSED = "processed";
    public static final String PROPERTY_ERRORS = "errors";
    public static final String PROPERTY_CONFLICTS = "conflicts";
    public static final String PROPERTY_REPORTS = "reports";
    public static final String PROPERTY_REASON = "reason";
    public static final String PROPERTY_RECEIVED = "received";
    public static final String PROPERTY_WRITTEN = "written";
    public static final String PROPERTY_MORE = "more";
    public static final String PROPERTY_PHASE = "phase";
    /** {@link #PROGRESS} of changes arriving from the server. */
    public static final String PHASE_RECEIVING = "receiving";
    /** {@link #PROGRESS} of an initial load being written into the tables once it is all here. */
    public static final String PHASE_WRITING = "writing";

    private SyncTopics() {
    }
}
