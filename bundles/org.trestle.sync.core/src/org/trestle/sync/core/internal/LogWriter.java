package org.trestle.sync.core.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.trestle.sync.api.packet.Wire;
import org.trestle.sync.core.internal.model.SyncChangeRow;

/**
 * The change capture's writes, in plain JDBC on the committing transaction's connection:
 * log rows, tombstones, and the base packet of a local edit.
 */
final class LogWriter {

    private static final String INSERT_SQL = "INSERT INTO SYNC_CHANGES (SEQ, ENTITY_TYPE, ENTITY_UUID, OPERATION, "
            + "UPDATED_AT, DATA, CHANGED_ATTRS, ORIGIN_NODE, TARGET_NODE, BASE_PACKET, RESOLVES, CREATED_AT, ROOT_UUID) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private LogWriter() {
    }

    /** Inserts rows already numbered, in one batch. */
    static void insert(Connection connection, List<SyncChangeRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT_SQL)) {
            for (SyncChangeRow row : rows) {
                insert.setLong(1, row.seq);
                insert.setString(2, row.entityType);
                insert.setString(3, row.entityUuid);
                insert.setString(4, row.operation);
                setTimestamp(insert, 5, row.updatedAt);
                if (row.data == null) {
                    insert.setNull(6, Types.CLOB);
                } else {
                    insert.setString(6, row.data);
                }
                insert.setString(7, row.changed);
                insert.setString(8, row.originNode);
                insert.setString(9, row.targetNode);
                if (row.base == null) {
                    insert.setNull(10, Types.BIGINT);
                } else {
                    insert.setLong(10, row.base);
                }
                insert.setString(11, row.resolves);
                setTimestamp(insert, 12, row.createdAt == null ? Wire.now() : row.createdAt);
                insert.setString(13, row.rootUuid);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** Remembers hard-deleted entities (uuid to type), unless remembered already. */
    static void tombstones(Connection connection, Map<String, String> deleted) throws SQLException {
        try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM SYNC_TOMBSTONES WHERE ENTITY_UUID = ?");
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO SYNC_TOMBSTONES (ENTITY_UUID, ENTITY_TYPE, DELETED_AT) VALUES (?, ?, ?)")) {
            for (Map.Entry<String, String> d : deleted.entrySet()) {
                String uuid = d.getKey();
                exists.setString(1, uuid);
                try (ResultSet rs = exists.executeQuery()) {
                    if (rs.next()) {
                        continue;
                    }
                }
                insert.setString(1, uuid);
                insert.setString(2, d.getValue());
                setTimestamp(insert, 3, Wire.now());
                insert.executeUpdate();
            }
        }
    }

    /**
     * The server packet a local edit is based on: for an entity that still has
     * unacknowledged local changes, the base of the oldest of them (incoming versions
     * of it were held back meanwhile); else the last packet received from the server.
     */
    static Long base(Connection connection, String uuid, String self, String server) throws SQLException {
        if (server == null) {
            return 0L;
        }
        try (PreparedStatement q = connection.prepareStatement("SELECT MIN(c.BASE_PACKET) FROM SYNC_CHANGES c, SYNC_NODES n "
                + "WHERE c.ENTITY_UUID = ? AND c.ORIGIN_NODE = ? AND n.NODE_ID = ? AND c.SEQ > n.ACKED_SEQ")) {
            q.setString(1, uuid);
            q.setString(2, self);
            q.setString(3, server);
            try (ResultSet rs = q.executeQuery()) {
                if (rs.next()) {
                    long min = rs.getLong(1);
                    if (!rs.wasNull()) {
                        return min;
                    }
                }
            }
        }
        try (PreparedStatement q = connection.prepareStatement("SELECT RECEIVED_PACKET_NO FROM SYNC_NODES WHERE NODE_ID = ?")) {
            q.setString(1, server);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        }
    }

    private static void setTimestamp(PreparedStatement ps, int index, Instant instant) throws SQLException {
        if (instant == null) {
            ps.setNull(index, Types.TIMESTAMP);
        } else {
            ps.setTimestamp(index, Timestamp.from(instant));
        }
    }
}
