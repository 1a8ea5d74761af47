package org.trestle.sync.core.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.persistence.EntityManager;

import org.trestle.sync.api.AttributeInfo;
import org.trestle.sync.api.EntityRow;
import org.trestle.sync.api.EntityStore;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.EntityWrite;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.core.internal.EntityCodec.AttributeCodec;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The entities of this node by type name, for user interfaces and tools: reading them in
 * wire form with their attributes' metadata, and writing what a person entered, checked
 * against the domain's rules and captured like every other write.
 */
final class LocalEntities implements EntityStore {

    private final EngineState state;
    private final EntityCodec codec;
    private final Rules rules;
    private final Dependents dependents;
    private final Restorer restorer;

    LocalEntities(EngineState state, Rules rules) {
        this.state = state;
        this.codec = state.codec;
        this.rules = rules;
        this.dependents = new Dependents(state);
        this.restorer = new Restorer(state);
    }

    @Override
    public List<EntityTypeInfo> types() {
        return state.types;
    }

    @Override
    public Optional<EntityTypeInfo> type(String name) {
        TypeCodec tc = codec.type(name);
        return tc == null ? Optional.empty() : Optional.of(tc.info());
    }

    @Override
    public List<AttributeInfo> attributes(String type) {
        TypeCodec tc = require(type);
        List<AttributeInfo> out = new ArrayList<>();
        for (AttributeCodec a : tc.attributes()) {
            TypeCodec target = a.reference() == null ? null : codec.typeOf(a.reference());
            out.add(new AttributeInfo(a.name(), a.javaType(), target == null ? null : target.info().name(), a.primitive(),
                    a.derived()));
        }
        return List.copyOf(out);
    }

    @Override
    public List<EntityRow> list(String type) {
        TypeCodec tc = require(type);
        return state.read(em -> em.createQuery("select e from " + state.entityName(tc.info()) + " e where e.deleted = false "
                + "order by e.updatedAt", tc.info().type()).getResultList().stream().map(e -> row(tc, e)).toList());
    }

    @Override
    public List<EntityRow> referencing(String type, String reference, String uuid) {
        TypeCodec tc = require(type);
        var a = tc.byName().get(reference);
        if (a == null || a.reference() == null) {
            throw new IllegalArgumentException(type + "." + reference + " is not a reference to another entity");
        }
        return state.read(em -> em.createQuery("select e from " + state.entityName(tc.info()) + " e where e.deleted = false "
                + "and e." + a.name() + ".uuid = :u order by e.updatedAt", tc.info().type()).setParameter("u", uuid)
                .getResultList().stream().map(e -> row(tc, e)).toList());
    }

    @Override
    public Optional<EntityRow> find(String type, String uuid) {
        TypeCodec tc = require(type);
        return Optional.ofNullable(state.read(em -> {
            SyncEntity e = em.find(tc.info().type(), uuid);
            return e == null || e.isDeleted() ? null : row(tc, e);
        }));
    }

    @Override
    public boolean put(String type, String uuid, ObjectNode data) {
        return state.inLoggingTx(em -> put(em, EntityWrite.put(type, uuid, data)));
    }

    @Override
    public void putAll(List<EntityWrite> writes) {
        state.inLoggingTx(em -> {
            for (EntityWrite w : writes) {
                put(em, w);
            }
            return null;
        });
    }

    @Override
    public void delete(String type, String uuid) {
        TypeCodec tc = require(type);
        state.inLoggingTx(em -> {
            SyncEntity e = em.find(tc.info().type(), uuid);
            if (e == null || e.isDeleted()) {
                throw new IllegalArgumentException("no live " + tc.info().name() + " " + uuid);
            }
            deleteWithDependents(em, tc, e);
            return null;
        });
    }

    @Override
    public Map<String, Integer> deletedAlong(String type, String uuid) {
        TypeCodec tc = require(type);
        return state.read(em -> {
            SyncEntity e = em.find(tc.info().type(), uuid);
            if (e == null || e.isDeleted()) {
                throw new IllegalArgumentException("no live " + tc.info().name() + " " + uuid);
            }
            Map<String, Integer> counts = new java.util.LinkedHashMap<>();
            for (Dependents.Taken t : along(em, tc, e)) {
                counts.merge(t.type().info().name(), 1, Integer::sum);
            }
            return counts;
        });
    }

    /** Deletes an entity and what its dependents' types delete with it, or refuses with the reason. */
    private void deleteWithDependents(EntityManager em, TypeCodec tc, SyncEntity e) {
        List<Dependents.Taken> taken = along(em, tc, e);
        e.setDeleted(true);
        Dependents.delete(taken);
    }

    private List<Dependents.Taken> along(EntityManager em, TypeCodec tc, SyncEntity e) {
        try {
            return dependents.along(em, tc, e, true);
        } catch (ApplyException refused) {
            throw new IllegalArgumentException(refused.getMessage());
        }
    }

    @Override
    public List<EntityRow> deleted(String type, int limit) {
        TypeCodec tc = require(type);
        return state.read(em -> em.createQuery("select e from " + state.entityName(tc.info()) + " e where e.deleted = true "
                + "order by e.updatedAt desc", tc.info().type()).setMaxResults(limit).getResultList().stream()
                .map(e -> row(tc, e)).toList());
    }

    @Override
    public String restore(String type, String uuid) {
        TypeCodec tc = require(type);
        return state.inLoggingTx(em -> restorer.restore(em, tc, uuid, this::put));
    }

    @Override
    public ObjectNode serialize(SyncEntity entity) {
        return codec.serialize(entity);
    }

    @Override
    public List<String> validate(SyncEntity entity) {
        return rules.validate(entity);
    }

    private TypeCodec require(String type) {
        TypeCodec tc = codec.type(type);
        if (tc == null) {
            throw new IllegalArgumentException("unknown entity type " + type);
        }
        return tc;
    }

    private EntityRow row(TypeCodec tc, SyncEntity e) {
        return new EntityRow(tc.info().name(), e.getUuid(), e.getUpdatedAt(), codec.serialize(e));
    }

    private boolean put(EntityManager em, EntityWrite p) {
        TypeCodec tc = codec.type(p.type());
        if (tc == null) {
            throw new IllegalArgumentException("unknown entity type " + p.type());
        }
        SyncEntity existing = em.find(tc.info().type(), p.uuid());
        if (p.delete()) {
            if (existing != null && !existing.isDeleted()) {
                deleteWithDependents(em, tc, existing);
            }
            return false;
        }
        if (existing != null && existing.isDeleted()) {
            throw new IllegalArgumentException(p.type() + " " + p.uuid() + " was deleted");
        }
        Set<String> only = new HashSet<>();
        p.data().fieldNames().forEachRemaining(only::add);
        try {
            // attributes not named keep their value (or, for a new entity, its defaults)
            rules.checkRules(em, tc, existing, p.uuid(), p.data(), only);
            SyncEntity entity = existing != null ? existing : EngineState.instantiate(tc.info().type(), p.uuid());
            codec.apply(tc, entity, p.data(), only, state.resolver(em, null));
            if (existing == null) {
                em.persist(entity);
                em.flush(); // later writes of the same batch may reference it
            }
        } catch (ApplyException e) {
            throw new IllegalArgumentException(e.getMessage());
        } catch (MissingReferenceException e) {
            throw new IllegalArgumentException("the entity " + e.getMessage());
        }
        return existing == null;
    }
}
