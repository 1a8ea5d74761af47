package org.trestle.sync.api;

import java.util.List;
import java.util.Set;

import org.trestle.sync.api.entity.SyncEntity;

import com.fasterxml.jackson.databind.JsonNode;

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
 * @param version        the version of this declaration ({@code major.minor.micro}; by default
 *                       the contributing bundle's): a node running a later one may send
 *                       attributes this one does not know, which are then kept, not refused
 * @param migrations     the breaking changes that led to this version, oldest first; a
 *                       change of major version needs one whose {@code toVersion} is {@code X.0.0}
 * @param naming         what people call the type and its records ({@link EntityNaming#of} of
 *                       the name when it declares nothing)
 * @param deleteWith     the references along which a delete of the referenced entity deletes
 *                       this one too (an estimate with its project); a live entity referring
 *                       through any other reference keeps the referenced one from being deleted
 * @since 0.1
 */
public record EntityTypeInfo(String name, Class<? extends SyncEntity> type, ConflictStrategy strategy,
        boolean versionHistory, int applyOrder, String contributor, boolean scopeRoot, String scopedBy, String version,
        List<TypeMigration> migrations, EntityNaming naming, Set<String> deleteWith) {

    /** The version of a declaration that names none and has no bundle to take it from. */
    public static final String DEFAULT_VERSION = "1.0.0";

    public EntityTypeInfo {
        if (scopeRoot && scopedBy != null) {
            throw new IllegalArgumentException("entity type " + name + " cannot be a scope root and scoped by " + scopedBy);
        }
        version = TypeVersions.check(name, version == null ? DEFAULT_VERSION : version);
        migrations = migrations == null ? List.of() : List.copyOf(migrations);
        naming = naming == null ? EntityNaming.of(name) : naming;
        deleteWith = deleteWith == null ? Set.of() : Set.copyOf(deleteWith);
        String before = null;
        for (TypeMigration m : migrations) {
            TypeVersions.check(name, m.toVersion());
            if (TypeVersions.compare(m.toVersion(), version) > 0 || (before != null
                    && TypeVersions.compare(m.toVersion(), before) <= 0)) {
                throw new IllegalArgumentException("the migrations of entity type " + name + " must lead, oldest first, to"
                        + " versions up to " + version);
            }
            before = m.toVersion();
        }
    }

    public EntityTypeInfo(String name, Class<? extends SyncEntity> type, ConflictStrategy strategy,
            boolean versionHistory, int applyOrder, String contributor, boolean scopeRoot, String scopedBy, String version,
            List<TypeMigration> migrations, EntityNaming naming) {
        this(name, type, strategy, versionHistory, applyOrder, contributor, scopeRoot, scopedBy, version, migrations,
                naming, Set.of());
    }

    public EntityTypeInfo(String name, Class<? extends SyncEntity> type, ConflictStrategy strategy,
            boolean versionHistory, int applyOrder, String contributor, boolean scopeRoot, String scopedBy, String version,
            List<TypeMigration> migrations) {
        this(name, type, strategy, versionHistory, applyOrder, contributor, scopeRoot, scopedBy, version, migrations,
                null);
    }

    public EntityTypeInfo(String name, Class<? extends SyncEntity> type, ConflictStrategy strategy,
            boolean versionHistory, int applyOrder, String contributor, boolean scopeRoot, String scopedBy, String version) {
        this(name, type, strategy, versionHistory, applyOrder, contributor, scopeRoot, scopedBy, version,
                List.of(), null);
    }

    public EntityTypeInfo(String name, Class<? extends SyncEntity> type, ConflictStrategy strategy,
            boolean versionHistory, int applyOrder, String contributor, boolean scopeRoot, String scopedBy) {
        this(name, type, strategy, versionHistory, applyOrder, contributor, scopeRoot, scopedBy, DEFAULT_VERSION,
                List.of(), null);
    }

    /** @return this declaration in another version */
    public EntityTypeInfo withVersion(String newVersion) {
        return new EntityTypeInfo(name, type, strategy, versionHistory, applyOrder, contributor, scopeRoot, scopedBy,
                newVersion, migrations, naming, deleteWith);
    }

    /** A global type: every node receives it. */
    public EntityTypeInfo(String name, Class<? extends SyncEntity> type, ConflictStrategy strategy,
            boolean versionHistory, int applyOrder, String contributor) {
        this(name, type, strategy, versionHistory, applyOrder, contributor, false, null);
    }

    /** @return what one record of this type is called, e.g. "Estimate item" */
    public String label() {
        return naming.label();
    }

    /** @return what names a record of this type, from its data (empty when nothing does) */
    public String title(JsonNode data) {
        return naming.title(data);
    }

    /** @return whether every node receives this type, whatever its scope */
    public boolean global() {
        return !scopeRoot && scopedBy == null;
    }
}
