package org.trestle.sync.core.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.persistence.EntityManager;
import jakarta.persistence.FlushModeType;

import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.entity.Validation;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The domain's rules as entity types declare them ({@code SyncEntity.validate}): checked
 * on what an entity would become before anything of it changes, with uniqueness asked
 * of the database through JPA.
 */
final class Rules {

    private final EngineState state;
    private final EntityCodec codec;
    private final Queries queries;
    private final Map<Class<?>, Boolean> validating = new ConcurrentHashMap<>();

    Rules(EngineState state) {
        this.state = state;
        this.codec = state.codec;
        this.queries = state.queries;
    }

    /**
     * Checks the domain's rules on what the entity would become, before anything of it
     * changes: a violation is this change's error and leaves the entity as it was.
     */
    void checkRules(EntityManager em, TypeCodec tc, SyncEntity existing, String uuid, ObjectNode data,
            Set<String> only) {
        checkRules(em, tc, existing, uuid, data, only, null);
    }

    void checkRules(EntityManager em, TypeCodec tc, SyncEntity existing, String uuid, ObjectNode data,
            Set<String> only, Map<String, SyncEntity> known) {
        if (!overridesValidate(tc.info().type())) {
            return;
        }
        SyncEntity candidate = EngineState.instantiate(tc.info().type(), uuid);
        if (existing != null) {
            codec.apply(tc, candidate, codec.serialize(existing), null, state.resolver(em, known));
        }
        codec.apply(tc, candidate, data, only, state.resolver(em, known));
        List<String> problems = candidate.validate(validation(em, tc, uuid));
        if (!problems.isEmpty()) {
            throw new ApplyException("invalid_value", tc.info().name() + ": " + String.join("; ", problems));
        }
    }

    private boolean overridesValidate(Class<?> type) {
        return validating.computeIfAbsent(type, t -> {
            try {
                return t.getMethod("validate", Validation.class).getDeclaringClass() != SyncEntity.class;
            } catch (NoSuchMethodException e) {
                return false;
            }
        });
    }

    private Validation validation(EntityManager em, TypeCodec tc, String uuid) {
        String entity = state.entityName(tc.info());
        return new Validation() {
            @Override
            public boolean isUnique(String attribute, Object value) {
                checkAttribute(tc, attribute);
                return queries.of(em, "select count(e) from " + entity + " e where e.deleted = false and e." + attribute
                        + " = :v and e.uuid <> :u", Long.class).setParameter("v", value).setParameter("u", uuid)
                        .setFlushMode(FlushModeType.COMMIT).getSingleResult() == 0;
            }

            @Override
            public boolean isUniqueWithin(String attribute, Object value, String scopeAttribute, Object scopeValue) {
                checkAttribute(tc, attribute);
                checkAttribute(tc, scopeAttribute);
                return queries.of(em, "select count(e) from " + entity + " e where e.deleted = false and e." + attribute
                        + " = :v and e." + scopeAttribute + " = :s and e.uuid <> :u", Long.class).setParameter("v", value)
                        .setParameter("s", scopeValue).setParameter("u", uuid)
                        .setFlushMode(FlushModeType.COMMIT).getSingleResult() == 0;
            }
        };
    }

    private static void checkAttribute(TypeCodec tc, String attribute) {
        if (!tc.byName().containsKey(attribute)) {
            throw new IllegalArgumentException(tc.info().name() + " has no attribute " + attribute);
        }
    }

    /**
     * Checks an entity against its domain rules, as a user interface does before saving.
     *
     * @return one message per broken rule; empty when valid
     */
    List<String> validate(SyncEntity entity) {
        TypeCodec tc = codec.typeOf(entity.getClass());
        if (tc == null) {
            throw new IllegalArgumentException(entity.getClass().getName() + " is not a synchronized entity type");
        }
        return state.read(em -> entity.validate(validation(em, tc, entity.getUuid() == null ? "" : entity.getUuid())));
    }
}
