package org.trestle.sync.persistence.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import javax.sql.DataSource;

import org.apache.derby.jdbc.EmbeddedDriver;
import org.trestle.sync.persistence.BulkRows;
import org.trestle.sync.persistence.StoreDefinition;
import org.trestle.sync.persistence.StoreException;
import org.trestle.sync.persistence.derby.BulkRowsFunction;

/**
 * Everything that is specific to embedded Apache Derby lives here: the JDBC URL, how the
 * driver is reached inside OSGi, encryption at rest, online backup, clean shutdown and
 * the translation of Derby's error states into messages for people. Queries elsewhere
 * go through JPA only; {@link PostgreSqlDatabase} is the other {@link Database}.
 */
final class EmbeddedDerby implements Database {

    /** EclipseLink's name for the platform, {@code eclipselink.target-database}. */
    static final String ECLIPSELINK_TARGET = "Derby";

    private static final String DATABASE_FOLDER = "db";

    /** "Another instance of Derby may have already booted the database". */
    private static final String STATE_ALREADY_BOOTED = "XSDB6";
    /** A single database was shut down: the expected answer to {@code shutdown=true}. */
    private static final String STATE_DATABASE_SHUTDOWN = "08006";

    private final Driver driver;

    EmbeddedDerby() {
        // DriverManager will not hand out a driver that the caller's class loader cannot
        // see, so the driver is instantiated through the derby bundle itself. The
        // tools fragment (which holds EmbeddedDriver) shares derby.jar's class loader.
        try {
            Class<?> autoloaded = EmbeddedDriver.class.getClassLoader()
                    .loadClass("org.apache.derby.iapi.jdbc.AutoloadedDriver");
            driver = (Driver) autoloaded.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new StoreException("The embedded Derby driver is not available: " + e, e);
        }
    }

    /** @return the folder of the database inside a data directory */
    static Path databaseFolder(Path dataDirectory) {
        return dataDirectory.resolve(DATABASE_FOLDER);
    }

    /** Derby's algorithm for data encryption; its default would be DES, which is never used here. */
    static final String ENCRYPTION_ALGORITHM = "AES/CBC/NoPadding";

    /**
     * Boots (and on first use creates) the database of a data directory and returns a
     * data source over it. With a key, a new database is created encrypted (AES-256) and
     * an existing plain one is encrypted in place on this boot, keeping every row.
     */
    @Override
    public DataSource open(StoreDefinition definition) {
        return open(definition.directory(), definition.encryptionKey());
    }

    @Override
    public String eclipseLinkTarget() {
        return ECLIPSELINK_TARGET;
    }

    DataSource open(Path dataDirectory, String encryptionKey) {
        Path folder = databaseFolder(dataDirectory);
        if (System.getProperty("derby.stream.error.file") == null) {
            System.setProperty("derby.stream.error.file", dataDirectory.resolve("derby.log").toString());
        }
        boolean exists = Files.isDirectory(folder);
        String url = "jdbc:derby:" + folder + (exists ? "" : ";create=true");
        if (encryptionKey != null) {
            // Derby does not record the algorithm of an external key: every boot names it
            url += (exists && isEncrypted(folder) ? "" : ";dataEncryption=true") + ";encryptionAlgorithm="
                    + ENCRYPTION_ALGORITHM + ";encryptionKey=" + encryptionKey;
        }
        PooledDataSource dataSource = new PooledDataSource(driver, "jdbc:derby:" + folder, new Properties());
        try (Connection probe = connect(url)) {
            // opening once boots the database and turns Derby's errors into ours early
            probe.getMetaData();
        } catch (SQLException e) {
            throw translate(dataDirectory, e);
        }
        return dataSource;
    }

    /** @return whether the database in the folder is encrypted, from Derby's service properties */
    static boolean isEncrypted(Path folder) {
        Path service = folder.resolve("service.properties");
        if (!Files.isRegularFile(service)) {
            return false;
        }
        Properties p = new Properties();
        try (var in = Files.newInputStream(service)) {
            p.load(in);
        } catch (IOException e) {
            return false;
        }
        return "true".equals(p.getProperty("dataEncryption"));
    }

    @Override
    public String describe(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            var meta = c.getMetaData();
            return meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion() + " (embedded)";
        } catch (SQLException e) {
            return "Apache Derby (embedded)";
        }
    }

    /**
     * Derby's online backup: copies the booted database into {@code target} (where Derby
     * creates a folder named like the database's) while connections keep working.
     */
    @Override
    public Path backup(DataSource dataSource, Path dataDirectory, Path target) {
        try {
            Files.createDirectories(target);
            try (var entries = Files.list(target)) {
                if (entries.findAny().isPresent()) {
                    throw new StoreException("The backup folder " + target + " is not empty");
                }
            }
        } catch (IOException e) {
            throw new StoreException("Cannot create the backup folder " + target + ": " + e.getMessage(), e);
        }
        try (Connection c = dataSource.getConnection();
                CallableStatement call = c.prepareCall("CALL SYSCS_UTIL.SYSCS_BACKUP_DATABASE(?)")) {
            call.setString(1, target.toAbsolutePath().toString());
            call.execute();
        } catch (SQLException e) {
            throw new StoreException("The backup of " + dataDirectory + " into " + target + " failed: " + e.getMessage(), e);
        }
        Path copy = target.resolve(databaseFolder(dataDirectory).getFileName());
        if (!Files.isDirectory(copy)) {
            throw new StoreException("The backup into " + target + " did not produce " + copy);
        }
        return copy;
    }

    /**
     * Derby's optimizer override: a comment ending in a line break after the table's name.
     * An index that is not a plain upper-case name is left to the optimizer.
     */
    @Override
    public String readThroughIndex(String table, String index) {
        return index.matches("[A-Z][A-Z0-9_]*") ? table + " --DERBY-PROPERTIES index=" + index + "\n" : table;
    }

    /** "An object of that name already exists": here, the table function of an earlier insert. */
    private static final String STATE_ALREADY_EXISTS = "X0Y68";

    /**
     * Derby's bulk insert: an {@code INSERT ... SELECT} from a table function, which Derby
     * writes into an empty table without logging each row, building the indexes at the
     * end. The function ({@link org.trestle.sync.persistence.derby.BulkRowsFunction}) is
     * declared once per table and column types, named after them.
     */
    @Override
    public boolean insertInBulk(Connection connection, String table, List<String> columns,
            BulkRows rows) throws SQLException {
        List<String> declared = new ArrayList<>();
        Map<String, String> types = columnTypes(connection, table);
        for (String column : columns) {
            String type = types.get(column.toUpperCase(Locale.ROOT));
            if (type == null) {
                return false; // a column of a type the function does not pass on
            }
            declared.add(column + " " + type);
        }
        String signature = table + "(" + String.join(", ", declared) + ")";
        String function = "TRESTLE_BULK_" + HexFormat.of().formatHex(Arrays.copyOf(sha256(signature), 10))
                .toUpperCase(Locale.ROOT);
        try (Statement s = connection.createStatement()) {
            try {
                s.executeUpdate("CREATE FUNCTION " + function + "() RETURNS TABLE (" + String.join(", ", declared)
                        + ") LANGUAGE JAVA PARAMETER STYLE DERBY_JDBC_RESULT_SET NO SQL EXTERNAL NAME '"
                        + BulkRowsFunction.class.getName() + ".rows'");
            } catch (SQLException e) {
                if (!STATE_ALREADY_EXISTS.equals(e.getSQLState())) {
                    throw e;
                }
            }
            String list = String.join(", ", columns);
            try (AutoCloseable offered = BulkRowsFunction.offer(rows)) {
                s.executeUpdate("INSERT INTO " + table + " (" + list + ") SELECT " + list + " FROM TABLE(" + function
                        + "()) R");
            } catch (SQLException e) {
                throw e;
            } catch (Exception e) {
                throw new SQLException(e.getMessage(), e);
            }
        }
        return true;
    }

    /** @return the SQL type of each column of a table that the bulk insert's function can pass on, by column name */
    private static Map<String, String> columnTypes(Connection connection, String table) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (var rs = connection.getMetaData().getColumns(null, null, table.toUpperCase(Locale.ROOT), null)) {
            while (rs.next()) {
                String name = rs.getString("TYPE_NAME");
                String type = switch (name) {
                    case "CHAR", "VARCHAR" -> name + "(" + rs.getInt("COLUMN_SIZE") + ")";
                    case "DECIMAL", "NUMERIC" -> name + "(" + rs.getInt("COLUMN_SIZE") + ", " + rs.getInt("DECIMAL_DIGITS")
                            + ")";
                    case "SMALLINT", "INTEGER", "BIGINT", "REAL", "DOUBLE", "BOOLEAN", "DATE", "TIME", "TIMESTAMP" -> name;
                    default -> null;
                };
                if (type != null) {
                    out.put(rs.getString("COLUMN_NAME").toUpperCase(Locale.ROOT), type);
                }
            }
        }
        return out;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Closes the data source's pooled connections, then shuts its database down. */
    @Override
    public void shutdown(DataSource dataSource, Path dataDirectory) {
        if (dataSource instanceof PooledDataSource pooled) {
            pooled.close();
        }
        shutdown(dataDirectory);
    }

    /** Shuts one database down so that its files are consistent and unlocked. */
    void shutdown(Path dataDirectory) {
        try (Connection ignored = connect("jdbc:derby:" + databaseFolder(dataDirectory) + ";shutdown=true")) {
            // Derby always answers a shutdown with an exception
        } catch (SQLException e) {
            if (!STATE_DATABASE_SHUTDOWN.equals(e.getSQLState())) {
                throw new StoreException("Could not shut down the database in " + dataDirectory + ": " + e.getMessage(), e);
            }
        }
    }

    private Connection connect(String url) throws SQLException {
        Connection c = driver.connect(url, new Properties());
        if (c == null) {
            throw new SQLException("The Derby driver did not accept " + url);
        }
        return c;
    }

    private static StoreException translate(Path dataDirectory, SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause() != null ? t.getCause() : next(t)) {
            if (t instanceof SQLException sql && STATE_ALREADY_BOOTED.equals(sql.getSQLState())) {
                return new StoreException("The data directory " + dataDirectory
                        + " is in use by another Trestle process. Close it, or choose another data directory.", e);
            }
        }
        for (Throwable t = e; t != null; t = t.getCause() != null ? t.getCause() : next(t)) {
            // a wrong key (XBCXK) or none for an encrypted database (XBM06); Derby's own
            // exceptions below the SQLException carry the state in their text
            String text = String.valueOf(t);
            if (text.contains("XBCXK") || text.contains("XBM06")) {
                return new StoreException("The database in " + dataDirectory + " is encrypted with another key than the"
                        + " one this computer keeps for it; nothing was changed. Restore the secure storage of this data"
                        + " directory (.runtime), or move the directory aside to start anew.", null);
            }
        }
        // a boot attribute must never reach a message or a log
        String message = String.valueOf(e.getMessage()).replaceAll("encryptionKey=[0-9a-fA-F]+", "encryptionKey=…");
        return new StoreException("Could not open the database in " + dataDirectory + ": " + message, null);
    }

    private static Throwable next(Throwable t) {
        return t instanceof SQLException sql ? sql.getNextException() : null;
    }
}
