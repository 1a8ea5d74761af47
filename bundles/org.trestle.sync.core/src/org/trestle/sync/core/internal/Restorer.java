package org.trestle.sync.core.internal;

import java.time.Duration;
import java.util.List;
import java.util.function.BiFunction;

import jakarta.persistence.EntityManager;

import org.trestle.sync.api.EntityWrite;
import org.trestle.sync.api.entity.EntityIds;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.core.internal.EntityCodec.AttributeCodec;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Brings a deleted entity back as a new one with its last state, together with what was
 * deleted along with it (the dependents its type's {@code deleteWith} references took, deleted
 * within {@link #ALONG} of it), each under a new uuid with its reference pointing at the
 * restored parent. A deleted entity's own uuid never lives again: the protocol keeps a delete
 * final, so the restored entities reach every node as inserts.
 */
final class Restorer {

    /** How close to its parent's delete a dependent's delete must be to count as taken along with it. */
    static final Duration ALONG = Duration.ofSeconds(2);

    private final EngineState state;
    private final EntityCodec codec;

    Restorer(EngineState state) {
        this.state = state;
        this.codec = state.codec;
    }

    /**
     * @param put writes one entity in the caller's transaction, checked against the domain's rules
     * @return the new uuid of the restored entity
     * @throws IllegalArgumentException when there is no such deleted entity, or a rule refuses
     *                                  a restored entity (a unique code taken meanwhile, a parent gone)
     */
    String restore(EntityManager em, TypeCodec tc, String uuid, BiFunction<EntityManager, EntityWrite, Boolean> put) {
        SyncEntity e = em.find(tc.info().type(), uuid);
        if (e == null || !e.isDeleted()) {
            throw new IllegalArgumentException("no deleted " + tc.info().name() + " " + uuid);
        }
        return restore(em, tc, e, null, null, put);
    }

    private String restore(EntityManager em, TypeCodec tc, SyncEntity e, String reference, String parent,
            BiFunction<EntityManager, EntityWrite, Boolean> put) {
        ObjectNode data = codec.serialize(e);
        for (AttributeCodec a : tc.attributes()) {
            if (a.derived()) {
                data.remove(a.name()); // recomputed from what is restored
            }
        }
        if (reference != null) {
            data.put(reference, parent);
        }
        String fresh = EntityIds.newUuid();
        put.apply(em, EntityWrite.put(tc.info().name(), fresh, data));
        for (TypeCodec dependent : codec.types()) {
            for (AttributeCodec a : dependent.attributes()) {
                if (a.reference() != null && dependent.info().deleteWith().contains(a.name())
                        && codec.typeOf(a.reference()) == tc) {
                    for (SyncEntity child : deletedAlong(em, dependent, a, e)) {
                        restore(em, dependent, child, a.name(), fresh, put);
                    }
                }
            }
        }
        return fresh;
    }

    private List<? extends SyncEntity> deletedAlong(EntityManager em, TypeCodec dependent, AttributeCodec a, SyncEntity parent) {
        return em.createQuery("select e from " + state.entityName(dependent.info()) + " e where e.deleted = true and e."
                + a.name() + ".uuid = :u and e.updatedAt >= :from and e.updatedAt <= :to", dependent.info().type())
                .setParameter("u", parent.getUuid()).setParameter("from", parent.getUpdatedAt().minus(ALONG))
                .setParameter("to", parent.getUpdatedAt().plus(ALONG)).getResultList();
    }
}
