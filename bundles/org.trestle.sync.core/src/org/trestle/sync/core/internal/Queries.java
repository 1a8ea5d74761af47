package org.trestle.sync.core.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;

/**
 * The engine's frequent queries, each prepared once per persistence unit: a query
 * created from its text is parsed and prepared (SQL built) on every execution, which
 * cost as much as running it for the small lookups made per change. Registered as
 * named queries of the unit, they are prepared once and then only executed.
 */
final class Queries {

    private final Set<String> named = ConcurrentHashMap.newKeySet();

    /** @return a query of this text, prepared once for the entity manager's unit */
    <T> TypedQuery<T> of(EntityManager em, String jpql, Class<T> type) {
        String name = "trestle: " + jpql;
        if (!named.contains(name)) {
            em.getEntityManagerFactory().addNamedQuery(name, em.createQuery(jpql, type));
            named.add(name);
        }
        return em.createNamedQuery(name, type);
    }
}
