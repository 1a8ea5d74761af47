package org.trestle.sync.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import jakarta.persistence.EntityManager;

import org.eclipse.persistence.internal.sessions.AbstractSession;
import org.eclipse.persistence.mappings.OneToOneMapping;
import org.eclipse.persistence.mappings.foundation.AbstractDirectMapping;
import org.eclipse.persistence.sessions.Session;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.entity.SyncEntity;

/**
 * A type's rows read with one statement on the columns EclipseLink maps, each built into
 * an entity past EclipseLink's queries and cache (a load's states are serialized and
 * sent, never managed), its references stand-ins that carry only the uuid. The
 * conditions name the columns, so that the database reads children in the order of the
 * index on their reference and uuid, without joining the parents or sorting.
 *
 * @param key    the primary key's column
 * @param parent the column of the reference the type is scoped by, or {@code null}
 * @param from   the table as the statement names it: read through the index on the
 *               reference and uuid where the type has one
 */
record LoadPageRows(BulkWriter.Insert insert, String key, String parent, String deleted, Object notDeleted,
        Class<? extends SyncEntity> type, String from) {

    List<SyncEntity> read(EntityManager em, String condition, String orderBy, int limit, String... values) {
        var session = em.unwrap(Session.class);
        var q = em.createNativeQuery("SELECT " + String.join(", ", insert.columns()) + " FROM " + from
                + " WHERE " + deleted + " = ? AND " + condition + " ORDER BY " + orderBy);
        q.setParameter(1, notDeleted);
        for (int i = 0; i < values.length; i++) {
            q.setParameter(i + 2, values[i]);
        }
        int keyColumn = insert.columns().indexOf(key);
        List<SyncEntity> out = new ArrayList<>(limit);
        for (Object row : q.setMaxResults(limit).getResultList()) {
            Object[] r = (Object[]) row;
            SyncEntity e = EngineState.instantiate(type, String.valueOf(r[keyColumn]));
            for (int c = 0; c < insert.mappings().size(); c++) {
                var m = insert.mappings().get(c);
                if (m instanceof OneToOneMapping one) {
                    @SuppressWarnings("unchecked")
                    Class<? extends SyncEntity> target = (Class<? extends SyncEntity>) one.getReferenceClass();
                    one.setRealAttributeValueInObject(e, r[c] == null ? null
                            : EngineState.instantiate(target, r[c].toString()));
                } else {
                    m.setAttributeValueInObject(e, ((AbstractDirectMapping) m)
                            .getObjectValue(r[c], session));
                }
            }
            out.add(e);
        }
        return out;
    }

    /** How each type's rows are read, worked out once per type. */
    static final class Cache {
        private final EngineState state;
        private final Function<Class<?>, String> indexes;
        private final Map<Class<?>, Optional<LoadPageRows>> rows =
                new ConcurrentHashMap<>();

        /** @param indexes the index on a scoped type's reference and uuid, or {@code null} when it has none */
        Cache(EngineState state, Function<Class<?>, String> indexes) {
            this.state = state;
            this.indexes = indexes;
        }

        /** @return how a type's rows are read with one statement, or {@code null} when it is not one plain table */
        LoadPageRows of(EntityManager em, EntityTypeInfo t) {
            return rows.computeIfAbsent(t.type(), type -> {
                BulkWriter.Insert insert = state.bulk.plan(em, t.type()).insert();
                var d = em.unwrap(Session.class).getClassDescriptor(t.type());
                var deleted = d.getMappingForAttributeName("deleted");
                if (insert == null || d.getPrimaryKeyFields().size() != 1
                        || !(deleted instanceof AbstractDirectMapping flag)) {
                    return Optional.empty();
                }
                String parent = null;
                if (t.scopedBy() != null) {
                    if (!(d.getMappingForAttributeName(t.scopedBy()) instanceof OneToOneMapping one)
                            || one.getForeignKeyFields().size() != 1) {
                        return Optional.empty();
                    }
                    parent = one.getForeignKeyFields().get(0).getName();
                }
                Object notDeleted = flag.getFieldValue(Boolean.FALSE,
                        (AbstractSession) em.unwrap(
                                Session.class));
                String index = parent == null ? null : indexes.apply(t.type());
                String from = index == null ? insert.table() : state.store.readThroughIndex(insert.table(), index);
                return Optional.of(new LoadPageRows(insert, d.getPrimaryKeyFields().get(0).getName(), parent,
                        flag.getField().getName(), notDeleted, t.type(), from));
            }).orElse(null);
        }
    }
}
