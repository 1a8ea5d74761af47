package org.trestle.sync.api;

import org.trestle.sync.api.entity.SyncEntity;

/**
 * A synchronized entity type, as a plugin declared it.
 *
 * @param name           the type name used on the wire, e.g. {@code Estimate}
 * @param type           the entity class
 * @param strategy       its conflict strategy
 * @param versionHistory whether losing versions are kept in {@code object_version_history}
 * @param applyOrder     lower first: parents before children in initial loads
 * @param contributor    the symbolic name of the contributing bundle
 * @param scopeRoot      whether entities of this type are scope roots (a node's scope lists them)
 * @param scopedBy       the required reference through which an entity of this type belongs to
 *                       a scope root (directly or through further scoped types), or {@code null}
 * @since 0.1
 */
public record EntityTypeInfo(String name, Class<? extends SyncEntity> type, ConflictStrategy strategy,
        boolean versionHistory, int applyOrder, String contributor, boolean scopeRoot, String scopedBy) {

    public EntityTypeInfo {
        if (scopeRoot && scopedBy != null) {
            throw new IllegalArgumentException("entity type " + name + " cannot be a scope root and scoped by " + scopedBy);
        }
    }

    /** A global type: every node receives it. */
    public EntityTypeInfo(String name, Class<? extends SyncEntity> type, ConflictStrategy strategy,
            boolean versionHistory, int applyOrder, String contributor) {
        this(name, type, strategy, versionHistory, applyOrder, contributor, false, null);
    }

    /** @return whether every node receives this type, whatever its scope */
    public boolean global() {
        return !scopeRoot && scopedBy == null;
    }
}
