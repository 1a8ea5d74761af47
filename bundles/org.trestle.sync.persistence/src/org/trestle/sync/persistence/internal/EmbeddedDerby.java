package org.trestle.sync.persistence.internal;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.apache.derby.jdbc.EmbeddedDriver;
import org.trestle.sync.persistence.StoreException;

/**
 * Everything that is specific to embedded Apache Derby lives here: the JDBC URL, how the
 * driver is reached inside OSGi, clean shutdown and the translation of Derby's error
 * states into messages for people. Queries elsewhere go through JPA only, so another
 * database needs another implementation of this class and nothing else.
 */
final class EmbeddedDerby {

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
        DerbyDataSource dataSource = new DerbyDataSource(driver, "jdbc:derby:" + folder);
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
        } catch (java.io.IOException e) {
            return false;
        }
        return "true".equals(p.getProperty("dataEncryption"));
    }

    String describe(DataSource dataSource) {
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
    Path backup(DataSource dataSource, Path dataDirectory, Path target) {
        try {
            Files.createDirectories(target);
            try (var entries = Files.list(target)) {
                if (entries.findAny().isPresent()) {
                    throw new StoreException("The backup folder " + target + " is not empty");
                }
            }
        } catch (java.io.IOException e) {
            throw new StoreException("Cannot create the backup folder " + target + ": " + e.getMessage(), e);
        }
        try (Connection c = dataSource.getConnection();
                java.sql.CallableStatement call = c.prepareCall("CALL SYSCS_UTIL.SYSCS_BACKUP_DATABASE(?)")) {
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

    /** Closes the data source's pooled connections, then shuts its database down. */
    void shutdown(DataSource dataSource, Path dataDirectory) {
        if (dataSource instanceof DerbyDataSource pooled) {
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

    /**
     * A data source over embedded connections that keeps a few idle ones for reuse:
     * EclipseLink asks for a connection for every transaction and every read outside
     * one, and opening an embedded connection costs more than many queries. A connection
     * goes back to the pool when it is closed, rolled back if a transaction was left
     * open and in auto-commit mode; one that failed is dropped.
     */
    static final class DerbyDataSource implements DataSource {
        /** Idle connections kept; more may be open at once, and are closed when returned. */
        private static final int IDLE = 8;

        private final Driver driver;
        private final String url;
        private final java.util.ArrayDeque<Connection> idle = new java.util.ArrayDeque<>();
        private boolean closed;
        private PrintWriter logWriter;
        private int loginTimeout;

        DerbyDataSource(Driver driver, String url) {
            this.driver = driver;
            this.url = url;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection c;
            synchronized (idle) {
                if (closed) {
                    throw new SQLException("The database " + url + " is closed", "08003");
                }
                c = idle.pollFirst();
            }
            if (c == null) {
                c = driver.connect(url, new Properties());
                if (c == null) {
                    throw new SQLException("The Derby driver did not accept " + url);
                }
            }
            return pooled(c);
        }

        private Connection pooled(Connection real) {
            java.util.concurrent.atomic.AtomicBoolean returned = new java.util.concurrent.atomic.AtomicBoolean();
            return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] { Connection.class }, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "close":
                                if (returned.compareAndSet(false, true)) {
                                    giveBack(real);
                                }
                                return null;
                            case "isClosed":
                                return returned.get() || real.isClosed();
                            case "unwrap":
                                if (((Class<?>) args[0]).isInstance(proxy)) {
                                    return proxy;
                                }
                                break;
                            case "isWrapperFor":
                                if (((Class<?>) args[0]).isInstance(proxy)) {
                                    return true;
                                }
                                break;
                            case "equals":
                                return proxy == args[0];
                            case "hashCode":
                                return System.identityHashCode(proxy);
                            case "toString":
                                return "pooled " + real;
                            default:
                                break;
                        }
                        if (returned.get()) {
                            throw new SQLException("The connection is closed", "08003");
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        private void giveBack(Connection real) {
            try {
                if (real.isClosed()) {
                    return;
                }
                if (!real.getAutoCommit()) {
                    real.rollback();
                    real.setAutoCommit(true);
                }
                real.clearWarnings();
                synchronized (idle) {
                    if (!closed && idle.size() < IDLE) {
                        idle.addFirst(real);
                        return;
                    }
                }
                real.close();
            } catch (SQLException e) {
                try {
                    real.close();
                } catch (SQLException ignored) {
                    // a connection that cannot be reset is not reused; closing it is all that is left
                }
            }
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        /** Closes the idle connections and refuses new ones: before the database shuts down. */
        void close() {
            List<Connection> toClose;
            synchronized (idle) {
                closed = true;
                toClose = List.copyOf(idle);
                idle.clear();
            }
            for (Connection c : toClose) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // the database shuts down next, which ends the connection anyway
                }
            }
        }

        @Override
        public PrintWriter getLogWriter() {
            return logWriter;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
            logWriter = out;
        }

        @Override
        public void setLoginTimeout(int seconds) {
            loginTimeout = seconds;
        }

        @Override
        public int getLoginTimeout() {
            return loginTimeout;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            if (iface.isInstance(this)) {
                return iface.cast(this);
            }
            throw new SQLException("not a wrapper for " + iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return iface.isInstance(this);
        }
    }
}
