package org.trestle.sync.core.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.persistence.EntityManager;

import org.eclipse.persistence.descriptors.ClassDescriptor;
import org.eclipse.persistence.internal.sessions.AbstractSession;
import org.eclipse.persistence.mappings.DatabaseMapping;
import org.eclipse.persistence.mappings.OneToOneMapping;
import org.eclipse.persistence.mappings.foundation.AbstractDirectMapping;
import org.eclipse.persistence.sessions.Session;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.core.internal.EntityCodec.AttributeCodec;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;

/**
 * The derived values of the parents of the rows being written. Children arrive parent
 * by parent; each parent whose type has derived values and one collection of these
 * children is computed when its run of children ends, from a copy holding them. A
 * parent met again later, or of another shape, is read again with its collections once
 * the rows are in.
 */
final class StreamedDerivations {

    /** Parents whose derived values are computed together, read with one query. */
    private static final int PARENTS_AT_ONCE = 500;

    private final EngineState state;
    /** A reference of the children to a parent type with derived values. */
    private record Link(OneToOneMapping reference, Class<? extends SyncEntity> parentType,
            BulkDerivation.Children collection, BulkDerivation.DerivedUpdate update) {
    }

    private final EntityManager reader;
    private final List<Link> links = new ArrayList<>();
    /** Per link: the parent whose children are arriving, and those children. */
    private final List<String> currentParent = new ArrayList<>();
    private final List<List<SyncEntity>> currentChildren = new ArrayList<>();
    /** Per link: parents whose run of children ended, waiting to be computed together. */
    private final List<Map<String, List<SyncEntity>>> ended = new ArrayList<>();
    /** Per link: every parent computed or waiting (a parent met again is computed from the database). */
    private final List<Set<String>> seen = new ArrayList<>();
    /** Per link: the computed derived columns, then the parent's uuid: written once the rows are in. */
    private final List<List<Object[]>> values = new ArrayList<>();
    /** Parents read again once the rows are in, by uuid. */
    private final Map<String, Class<? extends SyncEntity>> again = new LinkedHashMap<>();

    StreamedDerivations(EngineState state, EntityManager reader, TypeCodec child, Session session) {
        this.state = state;
        this.reader = reader;
        ClassDescriptor d = session.getClassDescriptor(child.info().type());
        for (AttributeCodec a : child.attributes()) {
            TypeCodec parent = a.reference() == null ? null : state.codec.typeOf(a.reference());
            if (parent == null || state.codec.derivedNames(parent).isEmpty()
                    || !(d.getMappingForAttributeName(a.name()) instanceof OneToOneMapping reference)) {
                continue;
            }
            Class<? extends SyncEntity> parentType = parent.info().type();
            var kids = state.bulk.derivation().collections(session, parentType).orElse(null);
            BulkDerivation.DerivedUpdate update = state.bulk.derivation().derivedUpdate(session, parentType);
            BulkDerivation.Children only = kids != null && kids.size() == 1
                    && kids.get(0).childClass().equals(child.info().type()) && kids.get(0).parent() == reference
                            ? kids.get(0) : null;
            links.add(new Link(reference, parentType, update == null ? null : only, update));
            currentParent.add(null);
            currentChildren.add(new ArrayList<>());
            ended.add(new LinkedHashMap<>());
            seen.add(new HashSet<>());
            values.add(new ArrayList<>());
        }
    }

    void child(SyncEntity child, AbstractSession active) {
        for (int i = 0; i < links.size(); i++) {
            Link l = links.get(i);
            String parent = l.reference().getAttributeValueFromObject(child) instanceof SyncEntity p ? p.getUuid() : null;
            if (parent == null) {
                continue;
            }
            if (l.collection() == null) {
                again.put(parent, l.parentType());
                continue;
            }
            if (!parent.equals(currentParent.get(i))) {
                endRun(i, active);
                currentParent.set(i, parent);
                if (!seen.get(i).add(parent)) {
                    again.put(parent, l.parentType()); // its children came in two runs
                }
            }
            currentChildren.get(i).add(child);
        }
    }

    private void endRun(int i, AbstractSession active) {
        String parent = currentParent.get(i);
        if (parent != null && !again.containsKey(parent)) {
            ended.get(i).put(parent, currentChildren.get(i));
        }
        currentParent.set(i, null);
        currentChildren.set(i, new ArrayList<>());
        if (ended.get(i).size() >= PARENTS_AT_ONCE) {
            compute(i, active);
        }
    }

    void endOfRows(AbstractSession active) {
        for (int i = 0; i < links.size(); i++) {
            endRun(i, active);
            compute(i, active);
        }
    }

    /** Computes the parents whose runs ended, each from a copy holding its children. */
    private void compute(int i, AbstractSession active) {
        Map<String, List<SyncEntity>> byParent = ended.get(i);
        if (byParent.isEmpty()) {
            return;
        }
        Link l = links.get(i);
        ClassDescriptor d = active.getClassDescriptor(l.parentType());
        List<String> uuids = new ArrayList<>(byParent.keySet());
        var query = reader.createQuery("select e from "
                + state.entityName(state.codec.typeOf(l.parentType()).info()) + " e where e.uuid in :u",
                l.parentType()).setParameter("u", uuids).setHint("eclipselink.read-only", "true");
        for (DatabaseMapping m : d.getMappings()) {
            if (m.isOneToOneMapping()) {
                // the parents' own references (an estimate's project) with one more query, not one each
                query.setHint("eclipselink.batch", "e." + m.getAttributeName());
                query.setHint("eclipselink.batch.type", "IN");
            }
        }
        List<? extends SyncEntity> parents = query.getResultList();
        Set<String> found = new HashSet<>();
        for (SyncEntity parent : parents) {
            SyncEntity copy = BulkDerivation.copyOf(d, l.parentType(), parent);
            List<SyncEntity> children = byParent.get(parent.getUuid());
            for (SyncEntity child : children) {
                l.collection().parent().setAttributeValueInObject(child, copy); // written already: only the copy sees it
            }
            l.collection().collection().setAttributeValueInObject(copy, children);
            copy.updateDerived();
            List<AbstractDirectMapping> derived = l.update().mappings();
            Object[] row = new Object[derived.size() + 1];
            for (int c = 0; c < derived.size(); c++) {
                row[c] = derived.get(c).getFieldValue(derived.get(c).getAttributeValueFromObject(copy), active);
            }
            row[derived.size()] = parent.getUuid();
            values.get(i).add(row);
            found.add(parent.getUuid());
        }
        for (String uuid : uuids) {
            if (!found.contains(uuid)) {
                again.put(uuid, l.parentType()); // not here before these rows: the database will say why
            }
        }
        reader.clear();
        byParent.clear();
    }

    /** Writes the computed values, then computes the parents read again, in the transaction of {@code em}. */
    void finish(EntityManager em, AbstractSession active, Connection connection) {
        for (int i = 0; i < links.size(); i++) {
            if (values.get(i).isEmpty()) {
                continue;
            }
            try (PreparedStatement ps = connection.prepareStatement(links.get(i).update().sql())) {
                KeptLoadWriter.executeBatched(ps, KeptLoadWriter.inMemory(values.get(i)), links.get(i).update().mappings().size() + 1, active);
            } catch (SQLException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        if (!again.isEmpty()) {
            state.bulk.derivation().derive(em, again, Map.of());
        }
    }
}
