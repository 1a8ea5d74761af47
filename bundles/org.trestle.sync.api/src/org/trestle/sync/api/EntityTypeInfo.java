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
 * @since 0.1
 */
public record EntityTypeInfo(String name, Class<? extends SyncEntity> type, ConflictStrategy strategy,
        boolean versionHistory, int applyOrder, String contributor) {
}
