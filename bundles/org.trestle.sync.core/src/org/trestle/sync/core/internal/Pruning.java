package org.trestle.sync.core.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.PruneReport;
import org.trestle.sync.api.packet.Wire;
import org.trestle.sync.core.internal.model.SyncNodeRow;

/**
 * Keeps the sync log bounded. A change row older than the retention goes when every node
 * it is queued for has acknowledged it; on the server it also goes when a later change of
 * the same entity to every node exists, because that later row carries the entity's whole
 * state: a node that was away for longer than the retention receives the later row and
 * loses nothing, and no node ever falls behind what was pruned. The highest seq removed
 * that way is kept, so that a change made before it is judged against the whole entity
 * (its attribute list may no longer be complete) and a packet built meanwhile skips it.
 * <p>
 * Rows are removed a page at a time, each page in a transaction of its own, so nodes keep
 * exchanging while a large log is pruned.
 */
final class Pruning {

    private static final Logger LOG = LoggerFactory.getLogger(Pruning.class);
    /** Rows removed per transaction. */
    static final int PAGE = 1_000;

    private final EngineState state;

    Pruning(EngineState state) {
        this.state = state;
    }

    PruneReport prune(Duration changeRetention, Duration errorRetention) {
        if (changeRetention.isNegative() || errorRetention.isNegative()) {
            throw new IllegalArgumentException("a retention cannot be negative");
        }
        state.requireSelf();
        Instant now = Wire.now();
        Instant cutoff = now.minus(changeRetention);
        long changes = 0;
        // acknowledged by every live peer: rows to every node up to the lowest acknowledgement
        long horizon = horizon();
        changes += deletePages("select r.seq from SyncChangeRow r where r.targetNode is null and r.seq <= :h "
                + "and r.createdAt < :c order by r.seq", Map.of("h", horizon, "c", cutoff), false);
        // rows to one node that it acknowledged, or whose node was revoked
        for (SyncNodeRow n : state.read(em -> em.createQuery("select n from SyncNodeRow n where n.self = false",
                SyncNodeRow.class).getResultList())) {
            changes += deletePages("select r.seq from SyncChangeRow r where r.targetNode = :n and r.seq <= :h "
                    + "and r.createdAt < :c order by r.seq",
                    Map.of("n", n.nodeId, "h", n.revoked ? Long.MAX_VALUE : n.ackedSeq, "c", cutoff), false);
        }
        if (state.isServer()) {
            // superseded: a later row to every node carries the entity's whole state
            changes += deletePages("select r.seq from SyncChangeRow r where r.targetNode is null "
                    + "and r.createdAt < :c and exists (select s.seq from SyncChangeRow s where s.entityUuid = r.entityUuid "
                    + "and s.targetNode is null and s.seq > r.seq) order by r.seq", Map.of("c", cutoff), true);
        }
        long packets = state.inTx(em -> {
            long removed = 0;
            for (SyncNodeRow n : em.createQuery("select n from SyncNodeRow n where n.self = false", SyncNodeRow.class)
                    .getResultList()) {
                // the newest record stays, so that acknowledging it again still finds it
                // a revoked node acknowledges nothing more: all but its newest record go
                var delete = em.createQuery("delete from SyncPacketRow p where p.targetNode = :n and p.createdAt < :c "
                        + "and p.packetNo < :last" + (n.revoked ? "" : " and p.maxSeq <= :acked"))
                        .setParameter("n", n.nodeId).setParameter("c", cutoff).setParameter("last", n.sentPacketNo);
                if (!n.revoked) {
                    delete.setParameter("acked", n.ackedSeq);
                }
                removed += delete.executeUpdate();
            }
            return removed;
        });
        Instant errorCutoff = now.minus(errorRetention);
        long errors = state.inTx(em -> (long) em.createQuery("delete from DeadLetterRow d where d.receivedAt < :c")
                .setParameter("c", errorCutoff).executeUpdate());
        PruneReport report = new PruneReport(changes, packets, errors);
        if (changes + packets + errors > 0) {
            LOG.info("Sync log pruned: {} changes, {} packet records and {} kept-aside changes removed", changes, packets,
                    errors);
        }
        return report;
    }

    /** @return the lowest seq every live peer acknowledged; on a node without peers, what no one can still need */
    private long horizon() {
        return state.read(em -> {
            Long lowest = em.createQuery("select min(n.ackedSeq) from SyncNodeRow n where n.self = false and n.revoked = false",
                    Long.class).getSingleResult();
            if (lowest != null) {
                return lowest;
            }
            // a server without nodes: a node registering later starts from the entities themselves;
            // a client not registered yet: every row of its log still has to be sent
            return state.isServer() ? state.capture.tail().lastCommitted() : 0L;
        });
    }

    /**
     * Removes the rows a query finds, a page per transaction.
     *
     * @param superseded whether the rows go because later ones supersede them: the watermark
     *                   is raised in the same transaction, before any of them is gone
     */
    private long deletePages(String select, Map<String, Object> parameters, boolean superseded) {
        long removed = 0;
        for (;;) {
            // held like an apply: a change applied meanwhile elsewhere sees the rows or the watermark
            int n = state.inLoggingTx(em -> {
                TypedQuery<Long> query = em.createQuery(select, Long.class);
                parameters.forEach(query::setParameter);
                List<Long> seqs = query.setMaxResults(PAGE).getResultList();
                if (seqs.isEmpty()) {
                    return 0;
                }
                if (superseded) {
                    raiseWatermark(em, seqs.get(seqs.size() - 1));
                }
                return em.createQuery("delete from SyncChangeRow r where r.seq in :s").setParameter("s", seqs)
                        .executeUpdate();
            });
            removed += n;
            if (n < PAGE) {
                return removed;
            }
        }
    }

    private void raiseWatermark(EntityManager em, long seq) {
        SyncNodeRow self = em.find(SyncNodeRow.class, state.selfId());
        if (self.prunedSeq == null || self.prunedSeq < seq) {
            self.prunedSeq = seq;
        }
        // raised before the rows go: a packet or a conflict check meanwhile already allows for them
        state.recent.prunedUpTo(seq);
    }
}
