package org.trestle.sync.persistence.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on a PostgreSQL channel ({@code LISTEN}) over a connection of its own and calls
 * back when a notification arrives. A lost connection is opened again after a pause, and
 * the callback then runs once, since notifications sent meanwhile are gone.
 */
final class PostgreSqlListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgreSqlListener.class);
    /** How long one wait for notifications lasts, so that closing is noticed. */
    private static final int WAIT_MILLIS = 500;
    private static final long RETRY_MILLIS = 2_000;

    private final PooledDataSource dataSource;
    private final String channel;
    private final Runnable onSignal;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Connection connection;

    PostgreSqlListener(PooledDataSource dataSource, String channel, Runnable onSignal) {
        if (!channel.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("not a channel name: " + channel);
        }
        this.dataSource = dataSource;
        this.channel = channel;
        this.onSignal = onSignal;
        this.thread = new Thread(this::run, "Trestle listener " + channel);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        boolean reconnected = false;
        while (!closed) {
            try (Connection c = dataSource.unpooled()) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + channel);
                }
                if (reconnected) {
                    onSignal.run();
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    var notifications = pg.getNotifications(WAIT_MILLIS);
                    if (notifications != null && notifications.length > 0) {
                        onSignal.run();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.warn("Listening for changes on PostgreSQL failed ({}); trying again in {} s", e.getMessage(),
                        RETRY_MILLIS / 1000);
                reconnected = true;
                try {
                    Thread.sleep(RETRY_MILLIS);
                } catch (InterruptedException interrupted) {
                    return;
                }
            } finally {
                connection = null;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(WAIT_MILLIS * 4L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
