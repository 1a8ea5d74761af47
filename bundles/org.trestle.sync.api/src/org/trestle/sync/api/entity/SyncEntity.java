package org.trestle.sync.api.entity;

import java.time.Instant;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;

/**
 * The superclass of every synchronized entity. A domain plugin extends it and declares
 * the subclass through the {@code org.trestle.sync.core.entities} extension point; the
 * sync engine then captures every insert, update and soft delete of it, serializes it
 * by attribute name and applies incoming changes to it.
 * <p>
 * {@code uuid} is the global identity (and primary key) and is assigned on first
 * persist when the entity has none. {@code updatedAt} is maintained by the engine.
 * Deleting is soft: set {@link #setDeleted(boolean) deleted}; the row stays so that a
 * late update from another node cannot bring the entity back.
 *
 * @since 0.1
 */
@MappedSuperclass
public abstract class SyncEntity {

    /** Attribute names that travel in the change envelope, not in {@code data}. */
    public static final String UUID = "uuid";
    public static final String UPDATED_AT = "updatedAt";
    public static final String DELETED = "deleted";

    @Id
    @Column(name = "UUID", length = 36, nullable = false, updatable = false)
    private String uuid;

    @Column(name = "UPDATED_AT")
    private Instant updatedAt;

    @Column(name = "IS_DELETED", nullable = false)
    private boolean deleted;

    public String getUuid() {
        return uuid;
    }

    /** Sets the global identity; only before the entity is first persisted. */
    public void setUuid(String uuid) {
        this.uuid = uuid;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    public void setUpdatedAt(Instant updatedAt) {
        this.updatedAt = updatedAt;
    }

    public boolean isDeleted() {
        return deleted;
    }

    public void setDeleted(boolean deleted) {
        this.deleted = deleted;
    }

    /**
     * Checks the domain's rules. Called by the sync engine before it applies an incoming
     * change (a violation is reported as that change's error) and by user interfaces
     * before they save.
     *
     * @param validation answers questions about other entities, such as uniqueness
     * @return one message per broken rule, each starting with the attribute name; empty
     *         when the entity is valid
     */
    public List<String> validate(Validation validation) {
        return List.of();
    }

    /**
     * Recomputes {@link Derived} attributes, here or in related entities. Called before
     * every commit that touches the entity, on every node, for local edits and applied
     * changes alike.
     */
    public void updateDerived() {
        // most entities have nothing to derive
    }
}
