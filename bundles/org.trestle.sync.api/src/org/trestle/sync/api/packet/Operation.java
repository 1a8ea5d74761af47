package org.trestle.sync.api.packet;

/**
 * What a change did to an entity.
 *
 * @since 0.1
 */
public enum Operation {
    INSERT, UPDATE, DELETE,
    /** The entity left the receiving node's scope: removed there, not deleted anywhere (server to client only). */
    EVICT
}
