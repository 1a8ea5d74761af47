package org.trestle.sync.persistence.internal;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * A data source that keeps a few idle connections for reuse: EclipseLink asks for a
 * connection for every transaction and every read outside one, and opening one (an
 * embedded Derby connection, or a PostgreSQL session over the network) costs more
 * than many queries. A connection goes back to the pool when it is closed, rolled
 * back if a transaction was left open and in auto-commit mode; one that failed is
 * dropped.
 */
final class PooledDataSource implements DataSource {
    /** Idle connections kept; more may be open at once, and are closed when returned. */
    private static final int IDLE = 8;

    private final Driver driver;
    private final String url;
    /** What each new connection is opened with (user, password); never shown. */
    private final Properties properties;
    private final java.util.ArrayDeque<Connection> idle = new java.util.ArrayDeque<>();
    private boolean closed;
    private PrintWriter logWriter;
    private int loginTimeout;

    PooledDataSource(Driver driver, String url, Properties properties) {
        this.driver = driver;
        this.url = url;
        this.properties = properties;
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
            c = driver.connect(url, properties);
            if (c == null) {
                throw new SQLException("The JDBC driver did not accept " + url);
            }
        }
        return pooled(c);
    }

    /** @return a connection of its own, outside the pool, for a caller that keeps it open (a listener) */
    Connection unpooled() throws SQLException {
        synchronized (idle) {
            if (closed) {
                throw new SQLException("The database " + url + " is closed", "08003");
            }
        }
        Connection c = driver.connect(url, properties);
        if (c == null) {
            throw new SQLException("The JDBC driver did not accept " + url);
        }
        return c;
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
