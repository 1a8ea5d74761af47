package org.trestle.sync.core.internal.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/**
 * Attributes of an entity that this node's declaration of its type does not have, as a
 * node running a later version sent them: kept as they came, and sent again with every
 * change of the entity made here, so that no node's value is lost during a rollout.
 */
@Entity
@Table(name = "SYNC_EXTRA_ATTRIBUTES")
public class ExtraAttributesRow {
    @Id
    @Column(name = "ENTITY_UUID", length = 64)
    public String entityUuid;
    @Column(name = "ENTITY_TYPE", length = 64, nullable = false)
    public String entityType;
    /** The attributes, a JSON object by name, in their wire form. */
    @Lob
    @Column(name = "DATA")
    public String data;
    /** The latest version of the type's declaration they came from. */
    @Column(name = "TYPE_VERSION", length = 32)
    public String typeVersion;
}
