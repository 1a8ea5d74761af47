package org.trestle.sync.core.internal;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.trestle.sync.api.ChangeError;
import org.trestle.sync.core.internal.model.DeadLetterRow;

/**
 * The changes this node kept because they could not be applied, as an administrator
 * reads them: a page at a time by type and entity, all of them, and how many wait for a
 * plugin that is not installed.
 */
final class DeadLetters {

    private final EngineState state;

    DeadLetters(EngineState state) {
        this.state = state;
    }

    /** @return a page of the kept changes, of one type and entity when given, oldest first */
    List<ChangeError> page(String entityType, String entityUuid, int offset, int limit) {
        return state.read(em -> {
            var q = em.createQuery("select d from DeadLetterRow d where 1 = 1"
                    + (entityType == null ? "" : " and d.entityType = :t") + (entityUuid == null ? "" : " and d.entityUuid = :u")
                    + " order by d.receivedAt, d.id", DeadLetterRow.class);
            if (entityType != null) {
                q.setParameter("t", entityType);
            }
            if (entityUuid != null) {
                q.setParameter("u", entityUuid);
            }
            return q.setFirstResult(Math.max(0, offset)).setMaxResults(Math.max(1, limit)).getResultList().stream()
                    .map(DeadLetters::error).toList();
        });
    }

    /** @return every kept change, oldest first */
    List<ChangeError> all() {
        return state.read(em -> em.createQuery("select d from DeadLetterRow d order by d.receivedAt", DeadLetterRow.class)
                .getResultList().stream().map(DeadLetters::error).toList());
    }

    /** @return per entity type, how many kept changes wait for the plugin that declares it */
    Map<String, Long> waitingForPlugins() {
        return state.read(em -> {
            Map<String, Long> out = new TreeMap<>();
            for (Object[] row : em.createQuery("select d.entityType, count(d) from DeadLetterRow d where d.error = :e "
                    + "group by d.entityType", Object[].class).setParameter("e", ChangeApplier.NOT_INSTALLED).getResultList()) {
                out.put((String) row[0], (Long) row[1]);
            }
            return out;
        });
    }

    private static ChangeError error(DeadLetterRow d) {
        return new ChangeError(d.seq, d.entityType, d.entityUuid, d.error, d.message);
    }
}
