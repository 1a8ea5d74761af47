package org.trestle.sync.core.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.core.internal.model.SyncChangeRow;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What the change capture needs to know of its engine. */
interface EngineContext {

    EntityCodec codec();

    String selfId();

    /** @return the server's node id on a client, {@code null} on the server or before setup */
    String serverId();

    boolean isServer();

    /** @return whether a change that came from {@code origin} must be logged for some other node */
    boolean shouldLog(String origin);

    /**
     * @return the place of the type among the synchronized types, referenced types first
     *         (so a change to a parent is numbered before a change to its child)
     */
    int typeRank(String type);

    /** @return whether other processes may write the same database (their log rows come between this one's) */
    boolean sharedByProcesses();

    /** Tells the other processes, once the transaction of {@code connection} commits, that it logged rows. */
    void signal(Connection connection) throws SQLException;

    /**
     * @return the entity's serialized state with the attributes kept for it from a later
     *         version of its type (if any), read on the committing transaction's connection
     */
    ObjectNode withExtras(Connection connection, String uuid,
            ObjectNode data) throws SQLException;

    /** @return whether some entity has attributes kept from a later version of its type */
    boolean keepsExtras();

    /** The rows of a transaction that committed, told after the commit lock is released. */
    void committed(List<SyncChangeRow> rows);

    /** @return the uuid of the scope root the entity belongs to, or {@code null} for a global type's entity */
    String rootOf(SyncEntity entity);
}
