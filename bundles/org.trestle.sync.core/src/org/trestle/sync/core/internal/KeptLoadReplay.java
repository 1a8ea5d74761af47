package org.trestle.sync.core.internal;

import java.util.List;

import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;

import org.trestle.sync.api.packet.Change;
import org.trestle.sync.core.internal.model.SyncNodeRow;

/**
 * Applies kept changes of an initial load the normal way, as received from the server:
 * what the database refused to take in bulk goes through the change applier, which holds
 * what waits for a reference and reports what is wrong.
 */
final class KeptLoadReplay implements KeptLoadWriter.Replay {

    private final EngineState state;
    private final Prefetch prefetch;
    private final ChangeApplier applier;

    KeptLoadReplay(EngineState state, Prefetch prefetch, ChangeApplier applier) {
        this.state = state;
        this.prefetch = prefetch;
        this.applier = applier;
    }

    @Override
    public void apply(EntityManager em, List<Change> changes) {
        em.setFlushMode(FlushModeType.COMMIT);
        state.sharedLog.hold(em);
        Outcome o = new Outcome();
        o.deferredExist = state.queries.of(em, "select count(d) from DeferredRow d", Long.class).getSingleResult() > 0;
        prefetch.checkTombstones(em, o);
        SyncNodeRow sender = em.find(SyncNodeRow.class, state.serverId());
        prefetch.probeAbsent(em, changes, Long.MIN_VALUE, o);
        prefetch.prefetchReferences(em, changes, Long.MIN_VALUE, o);
        for (Change c : changes) {
            applier.applyChecked(em, sender, c, o);
        }
    }

    @Override
    public void refused(EntityManager em, Change change, String why) {
        applier.deadLetter(em, state.serverId(), change, "apply_failed", why, new Outcome());
    }
}
