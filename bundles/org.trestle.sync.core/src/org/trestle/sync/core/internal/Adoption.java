package org.trestle.sync.core.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import jakarta.persistence.EntityManager;

import org.eclipse.persistence.internal.databaseaccess.DatabasePlatform;
import org.eclipse.persistence.sessions.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.entity.EntityIds;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Wire;
import org.trestle.sync.core.internal.model.SyncChangeRow;

/**
 * Adopts rows that were in an entity type's table before its plugin was installed (made
 * by another program, or before the type was synchronized): the table gains the
 * {@code UUID}, {@code UPDATED_AT} and {@code IS_DELETED} columns it lacks, every row
 * without a uuid gets one (version 7) and is live, and once this node has an identity
 * each adopted row is logged as an insert for every other node, in the transaction that
 * stamps its {@code UPDATED_AT}. A row whose {@code UPDATED_AT} is still empty is one
 * adopted but not yet logged; nothing the engine writes leaves it empty. A second start
 * finds nothing to do.
 */
final class Adoption {

    private static final Logger LOG = LoggerFactory.getLogger(Adoption.class);
    private static final int PAGE = 500;

    private final EngineState state;

    Adoption(EngineState state) {
        this.state = state;
    }

    /** Gives every row of every type's table a uuid (at open, identity or not). */
    void adoptRows() {
        for (EntityTypeInfo t : state.types) {
            try {
                adoptRows(t);
            } catch (RuntimeException e) {
                LOG.error("The existing rows of " + t.name() + " could not be adopted: " + EngineState.rootMessage(e), e);
            }
        }
    }

    private void adoptRows(EntityTypeInfo t) {
        String table = table(t.type());
        List<String> key = state.inTx(em -> {
            Connection c = em.unwrap(Connection.class);
            try {
                addMissingColumns(em, c, table);
                return primaryKey(c, table);
            } catch (SQLException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        });
        if (key.isEmpty() || key.equals(List.of("UUID"))) {
            return; // a table of Trestle's own: every row has its uuid
        }
        if (key.size() != 1) {
            LOG.warn("The table {} of {} has a key of several columns; rows it held before lack a uuid and are not "
                    + "synchronized", table, t.name());
            return;
        }
        String pk = key.get(0);
        long total = 0;
        for (;;) {
            int n = state.inTx(em -> {
                Connection c = em.unwrap(Connection.class);
                try (PreparedStatement select = c.prepareStatement("SELECT " + pk + " FROM " + table
                        + " WHERE UUID IS NULL")) {
                    select.setMaxRows(PAGE);
                    List<Object> keys = new ArrayList<>();
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            keys.add(rs.getObject(1));
                        }
                    }
                    try (PreparedStatement update = c.prepareStatement("UPDATE " + table
                            + " SET UUID = ?, IS_DELETED = ? WHERE " + pk + " = ?")) {
                        for (Object k : keys) {
                            update.setString(1, EntityIds.newUuid());
                            update.setBoolean(2, false);
                            update.setObject(3, k);
                            update.addBatch();
                        }
                        update.executeBatch();
                    }
                    return keys.size();
                } catch (SQLException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            });
            total += n;
            if (n < PAGE) {
                break;
            }
        }
        if (total > 0) {
            state.emf.getCache().evict(t.type());
            LOG.info("Adopted {} existing rows of {} (table {})", total, t.name(), table);
        }
    }

    /** Logs the adopted rows not logged yet, for every other node; only once this node has an identity. */
    void logAdopted() {
        if (state.selfId() == null) {
            return;
        }
        for (EntityTypeInfo t : state.types) {
            String table = table(t.type());
            String name = t.name();
            for (;;) {
                int n = state.inTx(em -> {
                    List<String> uuids = em.createQuery("select e.uuid from " + state.entityName(t)
                            + " e where e.updatedAt is null", String.class).setMaxResults(PAGE).getResultList();
                    if (uuids.isEmpty()) {
                        return 0;
                    }
                    java.time.Instant now = Wire.now();
                    Connection c = em.unwrap(Connection.class);
                    try (PreparedStatement stamp = c.prepareStatement("UPDATE " + table
                            + " SET UPDATED_AT = ? WHERE UUID = ?")) {
                        for (String uuid : uuids) {
                            SyncEntity e = em.find(t.type(), uuid);
                            SyncChangeRow row = state.stateRow(name, e, null, now);
                            row.operation = Operation.INSERT.name();
                            row.updatedAt = now;
                            state.capture.queue(row);
                            stamp.setTimestamp(1, Timestamp.from(now));
                            stamp.setString(2, uuid);
                            stamp.addBatch();
                        }
                        stamp.executeBatch();
                    } catch (SQLException e) {
                        throw new IllegalStateException(e.getMessage(), e);
                    }
                    return uuids.size();
                });
                if (n > 0) {
                    state.emf.getCache().evict(t.type());
                }
                if (n < PAGE) {
                    break;
                }
            }
        }
    }

    private String table(Class<?> type) {
        return state.read(em -> em.unwrap(Session.class).getClassDescriptor(type).getTableName());
    }

    /** Adds the sync columns a table made by another program lacks, nullable, in the database's own types. */
    private static void addMissingColumns(EntityManager em, Connection c, String table) throws SQLException {
        Set<String> columns = columns(c, table);
        if (columns.isEmpty()) {
            return; // no such table: EclipseLink creates it whole
        }
        DatabasePlatform platform = em.unwrap(Session.class).getPlatform();
        try (Statement s = c.createStatement()) {
            if (!columns.contains("UUID")) {
                s.executeUpdate("ALTER TABLE " + table + " ADD COLUMN UUID " + type(platform, String.class) + "(36)");
            }
            if (!columns.contains("UPDATED_AT")) {
                s.executeUpdate("ALTER TABLE " + table + " ADD COLUMN UPDATED_AT " + type(platform, java.sql.Timestamp.class));
            }
            if (!columns.contains("IS_DELETED")) {
                s.executeUpdate("ALTER TABLE " + table + " ADD COLUMN IS_DELETED " + type(platform, Boolean.class));
            }
        }
    }

    /** The column type EclipseLink's platform gives the Java type, so that no database's names are written here. */
    private static String type(DatabasePlatform platform, Class<?> javaType) {
        var d = platform.getDatabaseTypes().get(javaType);
        if (d == null) {
            throw new IllegalStateException("the database platform has no column type for " + javaType.getName());
        }
        return d.name();
    }

    private static Set<String> columns(Connection c, String table) throws SQLException {
        return new LinkedHashSet<>(columnNames(table, name -> c.getMetaData().getColumns(null, null, name, null)));
    }

    private static List<String> primaryKey(Connection c, String table) throws SQLException {
        return columnNames(table, name -> c.getMetaData().getPrimaryKeys(null, null, name));
    }

    /** What the database's metadata lists of a table, under its name as written, upper or lower case. */
    private interface Lookup {
        ResultSet of(String table) throws SQLException;
    }

    private static List<String> columnNames(String table, Lookup lookup) throws SQLException {
        for (String name : List.of(table, table.toUpperCase(Locale.ROOT), table.toLowerCase(Locale.ROOT))) {
            List<String> out = new ArrayList<>();
            try (ResultSet rs = lookup.of(name)) {
                while (rs.next()) {
                    out.add(rs.getString("COLUMN_NAME").toUpperCase(Locale.ROOT));
                }
            }
            if (!out.isEmpty()) {
                return out;
            }
        }
        return List.of();
    }
}
