package org.trestle.sync.core.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;

import org.trestle.sync.core.internal.model.LogStateRow;
import org.trestle.sync.core.internal.model.SyncChangeRow;

/**
 * The change log's shared state row ({@link LogStateRow}): where seqs are taken, in the
 * committing transaction, and the versions that tell a process its copies in memory are
 * out of date.
 */
final class LogState {

    private LogState() {
    }

    /**
     * The row as it is, created when missing: its last seq is then the highest the
     * database shows anywhere (the log, what nodes acknowledged, what was pruned), so that
     * seqs never start over below what a node has already seen. Two processes creating it
     * at once end up with one row.
     */
    static LogStateRow open(EntityManagerFactory emf) {
        for (int attempt = 0;; attempt++) {
            EntityManager em = emf.createEntityManager();
            EntityTransaction tx = em.getTransaction();
            try {
                tx.begin();
                LogStateRow row = em.find(LogStateRow.class, LogStateRow.ID);
                long highest = highestSeq(em);
                if (row == null) {
                    row = new LogStateRow();
                    row.id = LogStateRow.ID;
                    row.lastSeq = highest;
                    em.persist(row);
                } else if (row.lastSeq < highest) {
                    row.lastSeq = highest;
                }
                tx.commit();
                return row;
            } catch (PersistenceException e) {
                if (attempt > 2) {
                    throw e;
                }
                // another process created the row first: read it
            } finally {
                if (tx.isActive()) {
                    tx.rollback();
                }
                em.close();
            }
        }
    }

    private static long highestSeq(EntityManager em) {
        long highest = 0;
        for (String q : List.of("select max(r.seq) from SyncChangeRow r",
                "select max(n.ackedSeq) from SyncNodeRow n where n.self = false",
                "select max(n.prunedSeq) from SyncNodeRow n where n.self = true")) {
            Long v = em.createQuery(q, Long.class).getSingleResult();
            if (v != null && v > highest) {
                highest = v;
            }
        }
        return highest;
    }

    /**
     * Locks the row until the transaction ends: no other transaction, in any process,
     * logs anything meanwhile.
     *
     * @return the row as locked
     */
    static LogStateRow lock(EntityManager em) {
        return em.find(LogStateRow.class, LogStateRow.ID, LockModeType.PESSIMISTIC_WRITE);
    }

    /** @return the row as last committed, read now */
    static LogStateRow read(EntityManager em) {
        return em.find(LogStateRow.class, LogStateRow.ID);
    }

    /** Raises the scope version (and the log epoch when log rows were deleted) in the transaction of {@code em}. */
    static void scopesChanged(EntityManager em, boolean rowsDeleted) {
        em.createQuery("update LogStateRow s set s.scopeVersion = s.scopeVersion + 1" + (rowsDeleted
                ? ", s.logEpoch = s.logEpoch + 1" : "") + " where s.id = :id").setParameter("id", LogStateRow.ID)
                .executeUpdate();
    }

    /**
     * Takes {@code count} seqs for the rows a transaction is about to log, on its
     * connection. Waits while another transaction holds the row.
     *
     * @return the highest seq taken; the ones taken are the {@code count} up to it
     */
    static long take(Connection connection, int count) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE SYNC_LOG_STATE SET LAST_SEQ = LAST_SEQ + ? WHERE ID = " + LogStateRow.ID)) {
            update.setLong(1, count);
            if (update.executeUpdate() != 1) {
                throw new SQLException("the change log's state row is missing");
            }
        }
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT LAST_SEQ FROM SYNC_LOG_STATE WHERE ID = " + LogStateRow.ID); ResultSet rs = select.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Who receives the log rows with seqs after {@code after} up to {@code upTo}: their seq,
     * origin, target and root only, in seq order.
     */
    static List<SyncChangeRow> addresses(Connection connection, long after, long upTo) throws SQLException {
        List<SyncChangeRow> rows = new ArrayList<>();
        try (PreparedStatement q = connection.prepareStatement("SELECT SEQ, ORIGIN_NODE, TARGET_NODE, ROOT_UUID "
                + "FROM SYNC_CHANGES WHERE SEQ > ? AND SEQ <= ? ORDER BY SEQ")) {
            q.setLong(1, after);
            q.setLong(2, upTo);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    SyncChangeRow r = new SyncChangeRow();
                    r.seq = rs.getLong(1);
                    r.originNode = rs.getString(2);
                    r.targetNode = rs.getString(3);
                    r.rootUuid = rs.getString(4);
                    rows.add(r);
                }
            }
        }
        return rows;
    }
}
