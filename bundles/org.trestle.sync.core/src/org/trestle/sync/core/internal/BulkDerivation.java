package org.trestle.sync.core.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.persistence.EntityManager;

import org.eclipse.persistence.descriptors.ClassDescriptor;
import org.eclipse.persistence.internal.databaseaccess.DatabasePlatform;
import org.eclipse.persistence.internal.helper.DatabaseField;
import org.eclipse.persistence.internal.sessions.AbstractSession;
import org.eclipse.persistence.mappings.DatabaseMapping;
import org.eclipse.persistence.mappings.OneToManyMapping;
import org.eclipse.persistence.mappings.OneToOneMapping;
import org.eclipse.persistence.mappings.foundation.AbstractDirectMapping;
import org.eclipse.persistence.sessions.Session;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;
import org.trestle.sync.core.internal.model.DerivePendingRow;

/**
 * The derived values of the parents whose children a bulk packet brought, computed in the
 * packet's transaction.
 * <p>
 * When the packet brought all the children a parent has (the common case of a load, which
 * sends children parent by parent), the parent's values are computed in memory: a copy of
 * the parent, its collections made of the children the packet decoded, its
 * {@code updateDerived} run, and its derived columns written with one batched update per
 * class. Otherwise (children before this packet, a parent whose
 * collections are not each mapped by one reference of its children) the parent is read
 * again with its collections and computed as for any write. Either way the master's
 * values recomputed here are no local change.
 */
final class BulkDerivation {

    /** A collection of a parent class and the reference that names the parent in each of its children. */
    record Children(OneToManyMapping collection, Class<?> childClass, OneToOneMapping parent) {
    }

    private final EngineState state;
    /** The collections of each parent class, empty when one of them has no single reference back. */
    private final Map<Class<?>, Optional<List<Children>>> collections = new ConcurrentHashMap<>();

    BulkDerivation(EngineState state) {
        this.state = state;
    }

    /**
     * @param parents the entities whose children the packet brought, by uuid
     * @param written the packet's entities as decoded and written, by class
     */
    void derive(EntityManager em, Map<String, Class<? extends SyncEntity>> parents,
            Map<Class<?>, List<SyncEntity>> written) {
        Map<Class<? extends SyncEntity>, List<String>> byType = new LinkedHashMap<>();
        parents.forEach((uuid, type) -> byType.computeIfAbsent(type, k -> new ArrayList<>()).add(uuid));
        Session session = em.unwrap(Session.class);
        for (Map.Entry<Class<? extends SyncEntity>, List<String>> t : byType.entrySet()) {
            List<String> uuids = t.getValue();
            for (int from = 0; from < uuids.size(); from += IN_LIMIT) {
                List<String> chunk = uuids.subList(from, Math.min(uuids.size(), from + IN_LIMIT));
                List<Children> kids = collections.computeIfAbsent(t.getKey(), c -> childrenOf(session, c)).orElse(null);
                List<String> again = kids == null ? chunk : inMemory(em, t.getKey(), chunk, kids, written);
                if (!again.isEmpty()) {
                    for (SyncEntity e : read(em, t.getKey(), again, true)) {
                        state.capture.markIncoming(e.getUuid(), state.serverId(), null);
                        e.updateDerived();
                    }
                }
            }
        }
    }

    /**
     * Computes in memory the parents whose children are all in the packet.
     *
     * @return the parents that must be read again with their children instead
     */
    private List<String> inMemory(EntityManager em, Class<? extends SyncEntity> type, List<String> uuids,
            List<Children> kids, Map<Class<?>, List<SyncEntity>> written) {
        // the packet's children of each collection, by parent
        List<Map<String, List<SyncEntity>>> brought = new ArrayList<>();
        List<String> again = new ArrayList<>();
        for (Children k : kids) {
            Map<String, List<SyncEntity>> byParent = new HashMap<>();
            for (SyncEntity child : written.getOrDefault(k.childClass(), List.of())) {
                if (k.parent().getAttributeValueFromObject(child) instanceof SyncEntity p) {
                    byParent.computeIfAbsent(p.getUuid(), x -> new ArrayList<>()).add(child);
                }
            }
            brought.add(byParent);
            // counted on the reference's column and its index (a path through the reference
            // would join the parent's table, which Derby answers by scanning the children)
            String column = k.parent().getForeignKeyFields().get(0).getName();
            String sql = "SELECT " + column + ", COUNT(*) FROM "
                    + em.unwrap(Session.class).getClassDescriptor(k.childClass()).getTableName() + " WHERE " + column
                    + " IN (" + String.join(", ", java.util.Collections.nCopies(uuids.size(), "?")) + ") GROUP BY " + column;
            try (PreparedStatement ps = em.unwrap(Connection.class).prepareStatement(sql)) {
                for (int i = 0; i < uuids.size(); i++) {
                    ps.setString(i + 1, uuids.get(i));
                }
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        List<SyncEntity> here = byParent.get(rs.getString(1));
                        if (here == null || here.size() != rs.getLong(2)) {
                            again.add(rs.getString(1)); // children came before this packet
                        }
                    }
                }
            } catch (SQLException e) {
                throw new BulkWriter.Refused(e.getMessage());
            }
        }
        List<String> fresh = new ArrayList<>(uuids);
        fresh.removeAll(again);
        if (fresh.isEmpty()) {
            return again;
        }
        DerivedUpdate update = derivedUpdate(em.unwrap(Session.class), type);
        if (update == null) {
            again.addAll(fresh); // not one column: read again
            return again;
        }
        AbstractSession active = (AbstractSession) em.unwrap(org.eclipse.persistence.sessions.UnitOfWork.class);
        DatabasePlatform platform = (DatabasePlatform) active.getDatasourcePlatform();
        List<AbstractDirectMapping> derived = update.mappings();
        // the parents: copied, then let go, so that the commit neither looks at them nor reads
        // their collections (not refreshed: that would read the collections). Their derived
        // values here may be older than the database's, so every one is written
        List<? extends SyncEntity> held = em.createQuery("select e from " + state.entityName(state.codec.typeOf(type)
                .info()) + " e where e.uuid in :u", type).setParameter("u", fresh).getResultList();
        ClassDescriptor d = em.unwrap(Session.class).getClassDescriptor(type);
        try (PreparedStatement ps = em.unwrap(Connection.class).prepareStatement(update.sql())) {
            for (SyncEntity parent : held) {
                SyncEntity copy = copyOf(d, type, parent);
                for (int i = 0; i < kids.size(); i++) {
                    List<SyncEntity> children = new ArrayList<>(brought.get(i).getOrDefault(parent.getUuid(), List.of()));
                    for (SyncEntity child : children) {
                        kids.get(i).parent().setAttributeValueInObject(child, copy); // written already: only the copy sees it
                    }
                    kids.get(i).collection().setAttributeValueInObject(copy, children);
                }
                copy.updateDerived();
                int p = 1;
                for (AbstractDirectMapping m : derived) {
                    platform.setParameterValueInDatabaseCall(m.getFieldValue(m.getAttributeValueFromObject(copy), active),
                            ps, p++, active);
                }
                platform.setParameterValueInDatabaseCall(parent.getUuid(), ps, p, active);
                ps.addBatch();
                em.detach(parent);
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw new BulkWriter.Refused(e.getMessage());
        }
        return again;
    }

    /** The derived columns of a class, and the update that writes them by the primary key. */
    record DerivedUpdate(List<AbstractDirectMapping> mappings, String sql) {
    }

    /** @return the derived columns of a class, or {@code null} when a derived attribute is not one column */
    DerivedUpdate derivedUpdate(Session session, Class<?> type) {
        ClassDescriptor d = session.getClassDescriptor(type);
        List<AbstractDirectMapping> derived = new ArrayList<>();
        for (String name : state.codec.derivedNames(state.codec.typeOf(type))) {
            if (!(d.getMappingForAttributeName(name) instanceof AbstractDirectMapping m)) {
                return null;
            }
            derived.add(m);
        }
        List<DatabaseField> key = d.getPrimaryKeyFields();
        StringBuilder sql = new StringBuilder("UPDATE " + d.getTableName() + " SET ");
        for (int i = 0; i < derived.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(derived.get(i).getField().getName()).append(" = ?");
        }
        sql.append(" WHERE ").append(key.get(0).getName()).append(" = ?");
        return new DerivedUpdate(List.copyOf(derived), sql.toString());
    }

    /** @return a copy of an entity's columns and references, its collections left empty */
    static SyncEntity copyOf(ClassDescriptor d, Class<? extends SyncEntity> type, SyncEntity entity) {
        SyncEntity copy = EngineState.instantiate(type, entity.getUuid());
        for (DatabaseMapping m : d.getMappings()) {
            if (m.isDirectToFieldMapping() || m instanceof OneToOneMapping) {
                m.setAttributeValueInObject(copy, m.getAttributeValueFromObject(entity));
            }
        }
        return copy;
    }

    /** @return the collections of a class and the references back, empty when one of them has none (computed once) */
    Optional<List<Children>> collections(Session session, Class<?> type) {
        return collections.computeIfAbsent(type, c -> childrenOf(session, c));
    }

    /** @return the collections of a parent class, each with its children's reference back; empty when one has none */
    private static Optional<List<Children>> childrenOf(Session session, Class<?> type) {
        List<Children> out = new ArrayList<>();
        ClassDescriptor d = session.getClassDescriptor(type);
        if (d.getPrimaryKeyFields().size() != 1) {
            return Optional.empty();
        }
        for (DatabaseMapping m : d.getMappings()) {
            if (m.isCollectionMapping()) {
                if (!(m instanceof OneToManyMapping many) || many.getTargetForeignKeyFields().size() != 1
                        || !SyncEntity.class.isAssignableFrom(many.getReferenceClass())) {
                    return Optional.empty();
                }
                String column = many.getTargetForeignKeyFields().get(0).getName();
                OneToOneMapping back = null;
                for (DatabaseMapping c : session.getClassDescriptor(many.getReferenceClass()).getMappings()) {
                    if (c instanceof OneToOneMapping one && one.getForeignKeyFields().size() == 1
                            && one.getForeignKeyFields().get(0).getName().equals(column)) {
                        back = one;
                    }
                }
                if (back == null) {
                    return Optional.empty();
                }
                out.add(new Children(many, many.getReferenceClass(), back));
            }
        }
        return Optional.of(List.copyOf(out));
    }

    /**
     * @param refresh whether entities this transaction holds are read again (their
     *                collections may lack rows written past EclipseLink)
     * @return the entities of a type with these uuids, each with the collections derived
     *         values are computed from read for all of them at once
     */
    private List<? extends SyncEntity> read(EntityManager em, Class<? extends SyncEntity> type, List<String> uuids,
            boolean refresh) {
        var q = em.createQuery("select e from " + state.entityName(state.codec.typeOf(type).info())
                + " e where e.uuid in :u", type).setParameter("u", uuids);
        if (refresh) {
            q.setHint("eclipselink.refresh", "true");
        }
        for (DatabaseMapping m : em.unwrap(Session.class).getClassDescriptor(type).getMappings()) {
            if (m.isOneToManyMapping()) {
                q.setHint("eclipselink.batch", "e." + m.getAttributeName());
                q.setHint("eclipselink.batch.type", "IN");
            }
        }
        return q.getResultList();
    }

    /**
     * Recomputes the derived values a bulk write of an earlier version of this engine listed
     * to recompute later, a page at a time, each page in a transaction that also forgets
     * them: that version recomputed them when the load ended, so an interrupted load may
     * have left some. Runs when the engine opens; the bulk path now recomputes them with
     * each packet and lists none.
     *
     * @return how many entities were recomputed
     */
    int recomputeListed() {
        int done = 0;
        for (;;) {
            List<DerivePendingRow> page = state.read(em -> em.createQuery("select d from DerivePendingRow d",
                    DerivePendingRow.class).setMaxResults(IN_LIMIT).getResultList());
            if (page.isEmpty()) {
                return done;
            }
            var cache = state.emf.getCache();
            for (DerivePendingRow d : page) {
                TypeCodec tc = state.codec.type(d.entityType);
                if (tc != null) {
                    cache.evict(tc.info().type(), d.entityUuid);
                }
            }
            state.inTx(em -> {
                Map<String, List<String>> byType = new LinkedHashMap<>();
                for (DerivePendingRow d : page) {
                    byType.computeIfAbsent(d.entityType, k -> new ArrayList<>()).add(d.entityUuid);
                }
                for (Map.Entry<String, List<String>> t : byType.entrySet()) {
                    TypeCodec tc = state.codec.type(t.getKey());
                    if (tc == null) {
                        continue;
                    }
                    for (SyncEntity e : read(em, tc.info().type(), t.getValue(), false)) {
                        // the master's values, recomputed here: no local change, no new time
                        state.capture.markIncoming(e.getUuid(), state.serverId(), null);
                        e.updateDerived();
                    }
                }
                em.createQuery("delete from DerivePendingRow d where d.entityUuid in :u").setParameter("u",
                        page.stream().map(d -> d.entityUuid).toList()).executeUpdate();
                return null;
            });
            done += page.size();
        }
    }

    /** Values an {@code in} list of one query holds at most. */
    private static final int IN_LIMIT = 500;
}
