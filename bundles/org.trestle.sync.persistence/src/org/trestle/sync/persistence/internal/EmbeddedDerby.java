package org.trestle.sync.persistence.internal;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
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

    /**
     * Boots (and on first use creates) the database of a data directory and returns a
     * data source over it.
     */
    DataSource open(Path dataDirectory) {
        Path folder = databaseFolder(dataDirectory);
        if (System.getProperty("derby.stream.error.file") == null) {
            System.setProperty("derby.stream.error.file", dataDirectory.resolve("derby.log").toString());
        }
        String url = "jdbc:derby:" + folder + (Files.isDirectory(folder) ? "" : ";create=true");
        DerbyDataSource dataSource = new DerbyDataSource(driver, "jdbc:derby:" + folder);
        try (Connection probe = connect(url)) {
            // opening once boots the database and turns Derby's errors into ours early
            probe.getMetaData();
        } catch (SQLException e) {
            throw translate(dataDirectory, e);
        }
        return dataSource;
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
        return new StoreException("Could not open the database in " + dataDirectory + ": " + e.getMessage(), e);
    }

    private static Throwable next(Throwable t) {
        return t instanceof SQLException sql ? sql.getNextException() : null;
    }

    /** A data source that opens embedded connections straight through the driver. */
    private static final class DerbyDataSource implements DataSource {
        private final Driver driver;
        private final String url;
        private PrintWriter logWriter;
        private int loginTimeout;

        DerbyDataSource(Driver driver, String url) {
            this.driver = driver;
            this.url = url;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection c = driver.connect(url, new Properties());
            if (c == null) {
                throw new SQLException("The Derby driver did not accept " + url);
            }
            return c;
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
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
