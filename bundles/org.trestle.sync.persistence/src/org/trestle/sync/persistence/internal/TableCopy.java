package org.trestle.sync.persistence.internal;

import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.sql.DataSource;

import org.trestle.sync.persistence.StoreException;

/**
 * Copies the tables of one database into the same tables of another over plain JDBC:
 * every row, in batches, parents before children, all in one transaction, counting both
 * sides of each table. Names
 * are compared without case (Derby keeps them upper case, PostgreSQL lower case), and
 * values are converted where the two databases store a type differently (large text,
 * booleans kept as numbers).
 */
final class TableCopy {

    private static final int BATCH = 1_000;

    private TableCopy() {
    }

    static Map<String, Long> copy(DataSource from, DataSource to) {
        try (Connection source = from.getConnection(); Connection target = to.getConnection()) {
            Map<String, String> sourceTables = tables(source);
            Map<String, String> targetTables = tables(target);
            Map<String, Long> copied = new LinkedHashMap<>();
            for (Map.Entry<String, String> t : sourceTables.entrySet()) {
                String targetName = targetTables.get(t.getKey());
                if (targetName == null) {
                    throw new StoreException("The target has no table " + t.getValue() + "; nothing was copied into it");
                }
                if (count(target, targetName) > 0) {
                    throw new StoreException("The target's table " + targetName + " holds rows already: copy into an"
                            + " empty database only");
                }
            }
            // parents before the tables that refer to them, all in one transaction: a
            // failure leaves the target as empty as it was
            boolean autoCommit = target.getAutoCommit();
            target.setAutoCommit(false);
            try {
                for (String key : parentsFirst(target, targetTables)) {
                    String sourceName = sourceTables.get(key);
                    if (sourceName == null) {
                        continue;
                    }
                    String targetName = targetTables.get(key);
                    long rows = copyTable(source, sourceName, target, targetName);
                    long there = count(target, targetName);
                    long here = count(source, sourceName);
                    if (rows != here || there != here) {
                        throw new StoreException("The copy of " + sourceName + " is incomplete: " + here + " rows here, "
                                + there + " there; nothing was kept");
                    }
                    copied.put(key, rows);
                }
                target.commit();
            } catch (SQLException | RuntimeException e) {
                target.rollback();
                throw e;
            } finally {
                target.setAutoCommit(autoCommit);
            }
            return copied;
        } catch (SQLException e) {
            throw new StoreException("The copy failed: " + e.getMessage(), e);
        }
    }

    /** @return the user tables of the connection's schema: lower-case name to the name as stored */
    private static Map<String, String> tables(Connection c) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        String schema = c.getSchema();
        try (ResultSet rs = c.getMetaData().getTables(null, schema, "%", new String[] { "TABLE" })) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME");
                out.put(name.toLowerCase(Locale.ROOT), name);
            }
        }
        return out;
    }

    /** @return the tables' keys in an order where every table comes after the tables its foreign keys name */
    private static List<String> parentsFirst(Connection c, Map<String, String> tables) throws SQLException {
        Map<String, java.util.Set<String>> parents = new LinkedHashMap<>();
        for (Map.Entry<String, String> t : tables.entrySet()) {
            java.util.Set<String> named = new java.util.TreeSet<>();
            try (ResultSet keys = c.getMetaData().getImportedKeys(null, c.getSchema(), t.getValue())) {
                while (keys.next()) {
                    String parent = keys.getString("PKTABLE_NAME").toLowerCase(Locale.ROOT);
                    if (!parent.equals(t.getKey())) {
                        named.add(parent);
                    }
                }
            }
            parents.put(t.getKey(), named);
        }
        List<String> order = new ArrayList<>();
        while (order.size() < parents.size()) {
            boolean progress = false;
            for (Map.Entry<String, java.util.Set<String>> t : parents.entrySet()) {
                if (!order.contains(t.getKey()) && order.containsAll(t.getValue().stream()
                        .filter(parents::containsKey).toList())) {
                    order.add(t.getKey());
                    progress = true;
                }
            }
            if (!progress) {
                throw new StoreException("The tables refer to each other in a cycle; they cannot be copied in order");
            }
        }
        return order;
    }

    private static long count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long copyTable(Connection source, String from, Connection target, String to) throws SQLException {
        Map<String, Integer> targetTypes = new HashMap<>();
        try (ResultSet cols = target.getMetaData().getColumns(null, target.getSchema(), to, "%")) {
            while (cols.next()) {
                targetTypes.put(cols.getString("COLUMN_NAME").toLowerCase(Locale.ROOT), cols.getInt("DATA_TYPE"));
            }
        }
        long rows = 0;
        try (Statement read = source.createStatement(); ResultSet rs = read.executeQuery("SELECT * FROM " + from)) {
            ResultSetMetaData meta = rs.getMetaData();
            int n = meta.getColumnCount();
            List<String> names = new ArrayList<>();
            List<Integer> types = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                String name = meta.getColumnName(i).toLowerCase(Locale.ROOT);
                names.add(name);
                types.add(targetTypes.getOrDefault(name, meta.getColumnType(i)));
            }
            String insert = "INSERT INTO " + to + " (" + String.join(", ", names) + ") VALUES ("
                    + String.join(", ", java.util.Collections.nCopies(n, "?")) + ")";
            try (PreparedStatement write = target.prepareStatement(insert)) {
                while (rs.next()) {
                    for (int i = 1; i <= n; i++) {
                        write.setObject(i, convert(rs.getObject(i), types.get(i - 1)), types.get(i - 1));
                    }
                    write.addBatch();
                    if (++rows % BATCH == 0) {
                        write.executeBatch();
                    }
                }
                write.executeBatch();
            }
        }
        return rows;
    }

    /** A value as the target's column type takes it. */
    private static Object convert(Object value, int targetType) throws SQLException {
        if (value instanceof Clob clob) {
            return clob.getSubString(1, (int) clob.length());
        }
        if (value instanceof Blob blob) {
            return blob.getBytes(1, (int) blob.length());
        }
        if ((targetType == Types.BOOLEAN || targetType == Types.BIT) && value instanceof Number number) {
            return number.intValue() != 0;
        }
        return value;
    }
}
