package org.trestle.sync.core.internal.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

/** One scope root in a node's scope (server only); a node with {@code SCOPE_ALL} has none. */
@Entity
@Table(name = "SYNC_NODE_SCOPES", indexes = { @Index(name = "SYNC_NODE_SCOPES_NODE", columnList = "NODE_ID"),
        @Index(name = "SYNC_NODE_SCOPES_ROOT", columnList = "ROOT_UUID") })
public class NodeScopeRow {
    /** {@code <node id>/<root uuid>}. */
    @Id
    @Column(name = "SCOPE_KEY", length = 80)
    public String key;
    @Column(name = "NODE_ID", length = 36, nullable = false)
    public String nodeId;
    @Column(name = "ROOT_UUID", length = 36, nullable = false)
    public String rootUuid;

    public static String key(String nodeId, String rootUuid) {
        return nodeId + "/" + rootUuid;
    }
}
