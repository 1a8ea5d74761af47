package org.trestle.sync.core.internal;

import jakarta.persistence.EntityManager;

import org.trestle.sync.core.internal.model.LogStateRow;
import org.trestle.sync.core.internal.model.SyncChangeRow;
import org.trestle.sync.core.internal.model.SyncNodeRow;

/**
 * The log's state row as processes sharing one database follow it: which epoch of the
 * log and which version of the scopes this process holds in memory, brought up to date
 * when another process changed them. On a database of one process the in-process locks
 * suffice and it does nothing.
 */
final class SharedLog {

    private final EngineState state;
    private long scopeVersion;
    private long logEpoch;

    SharedLog(EngineState state, LogStateRow opened) {
        this.state = state;
        this.scopeVersion = opened.scopeVersion;
        this.logEpoch = opened.logEpoch;
    }

    /**
     * Locks the log's state row for the transaction of {@code em} when other processes may
     * write the database (see {@link LogState#lock}), and brings this process's copies of
     * shared state up to date with it; the in-process locks suffice otherwise.
     *
     * @return the highest seq committed that this transaction must take as seen
     */
    long hold(EntityManager em) {
        if (!state.shared) {
            return state.capture.tail().lastCommitted();
        }
        LogStateRow row = LogState.lock(em);
        adopt(em, row);
        return row.lastSeq;
    }

    /**
     * Brings this process's copies up to date with what other processes committed (other
     * processes only: this one's own commits keep them current already): the log's tail,
     * the scopes, the pruning watermark. Does nothing on a database of one process.
     */
    void refresh(EntityManager em) {
        if (!state.shared) {
            return;
        }
        LogStateRow row = LogState.read(em);
        adopt(em, row);
        state.capture.catchUp(row.lastSeq, after -> state.queries.of(em, "select r.seq, r.originNode, r.targetNode, r.rootUuid "
                + "from SyncChangeRow r where r.seq > :a and r.seq <= :b order by r.seq", Object[].class)
                .setParameter("a", after).setParameter("b", row.lastSeq).getResultList().stream().map(o -> {
                    SyncChangeRow r = new SyncChangeRow();
                    r.seq = (Long) o[0];
                    r.originNode = (String) o[1];
                    r.targetNode = (String) o[2];
                    r.rootUuid = (String) o[3];
                    return r;
                }).toList());
    }

    /** {@link #refresh(EntityManager)} in a transaction of its own. */
    void refresh() {
        if (state.shared) {
            state.read(em -> {
                refresh(em);
                return null;
            });
        }
    }

    private synchronized void adopt(EntityManager em, LogStateRow row) {
        if (row.logEpoch != logEpoch) {
            // rows another process deleted may still be named in memory
            state.capture.forgetTail();
            state.recent.clear();
            logEpoch = row.logEpoch;
        }
        if (row.scopeVersion != scopeVersion) {
            state.nodeScopes.load(em);
            scopeVersion = row.scopeVersion;
        }
        String selfId = state.selfId();
        SyncNodeRow self = selfId == null ? null : em.find(SyncNodeRow.class, selfId);
        if (self != null && self.prunedSeq != null) {
            state.recent.prunedUpTo(self.prunedSeq);
        }
    }
}
