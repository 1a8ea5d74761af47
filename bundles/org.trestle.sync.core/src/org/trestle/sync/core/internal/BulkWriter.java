package org.trestle.sync.core.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import jakarta.persistence.EntityManager;

import org.eclipse.persistence.descriptors.ClassDescriptor;
import org.eclipse.persistence.internal.databaseaccess.DatabasePlatform;
import org.eclipse.persistence.internal.sessions.AbstractSession;
import org.eclipse.persistence.mappings.DatabaseMapping;
import org.eclipse.persistence.mappings.OneToOneMapping;
import org.eclipse.persistence.mappings.foundation.AbstractDirectMapping;
import org.eclipse.persistence.sessions.Session;
import org.eclipse.persistence.sessions.UnitOfWork;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.LoadWriteListener;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Wire;
import org.trestle.sync.core.internal.EntityCodec.AttributeCodec;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A client's path for packets that only bring entities it does not hold, as an initial
 * load does: the rows are written with batched JDBC inserts, through the table and column
 * mapping EclipseLink holds for each entity class (no SQL per type is written by hand),
 * past the unit of work, its change sets and the change capture (the master's state is
 * not a local change). Nothing can conflict with an entity the node never had.
 * <p>
 * A packet takes this path only as a whole: every change an {@code INSERT} of a known
 * type, in the version this node runs, resolving no conflict, each reference naming an
 * entity this node holds or an earlier entity of the packet; no tombstone and no held
 * change on the node. An entity found to exist after all makes the database refuse the
 * insert, and the packet is then applied again the normal way. Derived values (an
 * estimate's total) are computed in the packet's transaction: those of an inserted entity
 * from the entity as it came, those of an entity whose children the packet brought by
 * {@link BulkDerivation}. An interruption leaves nothing to recompute.
 */
final class BulkWriter {

    /** The database refused a row of the bulk path: the packet is applied again the normal way. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** How the rows of one entity class are inserted: into its table, a column per mapping. */
    record Insert(String table, List<String> columns, String sql, List<DatabaseMapping> mappings) {
    }

    /** An {@link Insert}, or the reason the class cannot take the bulk path. */
    record Plan(Insert insert, String unsupported) {
    }

    private final EngineState state;
    private final BulkDerivation derivation;
    private final Map<Class<?>, Plan> plans = new ConcurrentHashMap<>();
    private final List<Consumer<Map<String, Long>>> listeners =
            new CopyOnWriteArrayList<>();
    private final List<LoadWriteListener> writeListeners =
            new CopyOnWriteArrayList<>();

    BulkWriter(EngineState state) {
        this.state = state;
        this.derivation = new BulkDerivation(state);
    }

    BulkDerivation derivation() {
        return derivation;
    }

    void addListener(Consumer<Map<String, Long>> listener) {
        listeners.add(listener);
    }

    void removeListener(Consumer<Map<String, Long>> listener) {
        listeners.remove(listener);
    }

    void addWriteListener(LoadWriteListener listener) {
        writeListeners.add(listener);
    }

    void removeWriteListener(LoadWriteListener listener) {
        writeListeners.remove(listener);
    }

    /** Tells the listeners how far the writing of a kept load has come; what they throw is logged. */
    void written(long written, long total) {
        for (var l : writeListeners) {
            try {
                l.written(written, total);
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(BulkWriter.class).warn("A listener of the load's writing failed", e);
            }
        }
    }

    /** Tells the listeners what a committed packet (or a drained load) brought by the bulk path, by type. */
    void announce(Map<String, Long> written) {
        if (written.isEmpty()) {
            return;
        }
        Map<String, Long> counts = Map.copyOf(written);
        for (var l : listeners) {
            try {
                l.accept(counts);
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(BulkWriter.class).warn("A listener of bulk writes failed", e);
            }
        }
    }

    /**
     * Whether the whole packet can be written by the bulk path. The references it names
     * must be here or earlier in the packet: their existence is read, a query per type and
     * few hundred of them; the entities themselves only for the references of a type with
     * derived values (whose computation may read them), the others are written by uuid.
     * Whether the packet's own entities are here already is not read: the database refuses
     * such an insert, and the packet then goes the normal way.
     */
    boolean eligible(EntityManager em, List<Change> changes, long appliedSeq, Outcome o) {
        if (state.isServer() || changes.isEmpty() || o.deferredExist || !o.noTombstones) {
            return false;
        }
        Set<String> earlier = new HashSet<>();
        // references to entities neither known to the packet nor earlier in it, by type, and
        // whether the entity itself is needed
        Map<Class<? extends SyncEntity>, Map<String, Boolean>> unread = new HashMap<>();
        for (Change c : changes) {
            TypeCodec tc = state.codec.type(c.entityType());
            if (tc == null || c.seq() <= appliedSeq || c.operation() != Operation.INSERT || c.data() == null
                    || c.resolves() != null || o.known.containsKey(c.entityUuid())
                    || !sameVersion(tc, TypeVersioning.theirs(o.senderTypes, tc.info().name()))
                    || plan(em, tc.info().type()).insert() == null) {
                return false;
            }
            boolean derives = !state.codec.derivedNames(tc).isEmpty();
            for (AttributeCodec a : tc.attributes()) {
                JsonNode ref = a.reference() == null ? null : c.data().get(a.name());
                if (ref != null && !ref.isNull() && !o.known.containsKey(ref.asText()) && !earlier.contains(ref.asText())) {
                    if (!ref.isTextual()) {
                        return false; // the normal way reports it
                    }
                    unread.computeIfAbsent(a.reference(), k -> new HashMap<>()).merge(ref.asText(), derives,
                            Boolean::logicalOr);
                }
            }
            for (var it = c.data().fieldNames(); it.hasNext();) {
                if (!tc.byName().containsKey(it.next())) {
                    return false; // the normal way reports it
                }
            }
            earlier.add(c.entityUuid());
        }
        for (Map.Entry<Class<? extends SyncEntity>, Map<String, Boolean>> r : unread.entrySet()) {
            String entity = state.entityName(state.codec.typeOf(r.getKey()).info());
            List<String> whole = new ArrayList<>();
            List<String> named = new ArrayList<>();
            r.getValue().forEach((uuid, needed) -> (needed ? whole : named).add(uuid));
            for (int from = 0; from < whole.size(); from += IN_LIMIT) {
                List<String> chunk = whole.subList(from, Math.min(whole.size(), from + IN_LIMIT));
                List<? extends SyncEntity> found = em.createQuery("select e from " + entity + " e where e.uuid in :u",
                        r.getKey()).setParameter("u", chunk).getResultList();
                if (found.size() < chunk.size()) {
                    return false; // waits for an entity not here: the normal way holds it
                }
                for (SyncEntity e : found) {
                    o.known.put(e.getUuid(), e);
                }
            }
            for (int from = 0; from < named.size(); from += IN_LIMIT) {
                List<String> chunk = named.subList(from, Math.min(named.size(), from + IN_LIMIT));
                long found = em.createQuery("select count(e) from " + entity + " e where e.uuid in :u", Long.class)
                        .setParameter("u", chunk).getSingleResult();
                if (found < chunk.size()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Values an {@code in} list of one query holds at most. */
    private static final int IN_LIMIT = 500;

    /**
     * Inserts the packet's entities, a batch per class in the order the classes first
     * appear (parents first, as the load sends them), and records which entities need their
     * derived values recomputed.
     *
     * @return how many entities of each type were written
     */
    Map<String, Long> write(EntityManager em, List<Change> changes, Outcome o) {
        em.flush();
        Session session = em.unwrap(Session.class);
        AbstractSession active = (AbstractSession) em.unwrap(UnitOfWork.class);
        DatabasePlatform platform = (DatabasePlatform) session.getDatasourcePlatform();
        Connection connection = em.unwrap(Connection.class);
        Map<Class<?>, List<SyncEntity>> byClass = new LinkedHashMap<>();
        Map<String, Long> written = new LinkedHashMap<>();
        // the entities whose derived values depend on entities of the packet (a parent whose
        // children arrive here), by uuid
        Map<String, Class<? extends SyncEntity>> derive = new LinkedHashMap<>();
        for (Change c : changes) {
            TypeCodec tc = state.codec.type(c.entityType());
            SyncEntity entity = entityOf(c, tc, o.known);
            byClass.computeIfAbsent(tc.info().type(), k -> new ArrayList<>()).add(entity);
            written.merge(tc.info().name(), 1L, Long::sum);
            for (AttributeCodec a : tc.attributes()) {
                JsonNode ref = a.reference() == null ? null : c.data().get(a.name());
                TypeCodec target = ref == null || ref.isNull() ? null : state.codec.typeOf(a.reference());
                if (target != null && !state.codec.derivedNames(target).isEmpty()) {
                    derive.put(ref.asText(), target.info().type());
                }
            }
            o.processed++;
        }
        try {
            for (Map.Entry<Class<?>, List<SyncEntity>> e : byClass.entrySet()) {
                Insert insert = plan(em, e.getKey()).insert();
                try (PreparedStatement ps = connection.prepareStatement(insert.sql())) {
                    for (SyncEntity entity : e.getValue()) {
                        int i = 1;
                        for (DatabaseMapping m : insert.mappings()) {
                            platform.setParameterValueInDatabaseCall(value(m, entity, active), ps, i++, active);
                        }
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
        } catch (SQLException e) {
            throw new Refused(e.getMessage());
        }
        derivation.derive(em, derive, byClass);
        o.derived = derive;
        return written;
    }

    /**
     * The entity a change inserts, as the bulk path writes it: its references are entities
     * of {@code known} or stand-ins that carry only the uuid.
     *
     * @throws Refused when the change's data does not fit its type (the normal way reports it)
     */
    SyncEntity entityOf(Change c, TypeCodec tc, Map<String, SyncEntity> known) {
        SyncEntity entity = EngineState.instantiate(tc.info().type(), c.entityUuid());
        try {
            state.codec.apply(tc, entity, EngineState.dataOf(c), null, (type, uuid) -> {
                SyncEntity k = known.get(uuid);
                return type.isInstance(k) ? k : EngineState.instantiate(type, uuid);
            });
        } catch (ApplyException e) {
            throw new Refused(e.getMessage());
        }
        entity.setUpdatedAt(c.updatedAt() == null ? Wire.now() : c.updatedAt());
        entity.setDeleted(false);
        if (!state.codec.derivedNames(tc).isEmpty()) {
            // new here, so nothing refers to it yet: its derived values are those of what it
            // holds, as a new entity's are at its first commit
            entity.updateDerived();
        }
        return entity;
    }

    /**
     * After the commit of a packet the bulk path wrote: the entities whose derived values it
     * recomputed leave the shared cache (their collections there lack the rows written past
     * EclipseLink), and the listeners are told what came.
     */
    void committed(Map<String, Long> written, Map<String, Class<? extends SyncEntity>> derived) {
        var cache = state.emf.getCache();
        derived.forEach((uuid, type) -> cache.evict(type, uuid));
        announce(written);
    }

    static boolean sameVersion(TypeCodec tc, String theirs) {
        return theirs == null || theirs.equals(tc.info().version());
    }

    /** @return the column value of a mapping for an entity, as EclipseLink would write it */
    static Object value(DatabaseMapping m, SyncEntity entity, AbstractSession session) {
        Object attribute = m.getAttributeValueFromObject(entity);
        if (m instanceof OneToOneMapping) {
            return attribute == null ? null : ((SyncEntity) attribute).getUuid();
        }
        return ((AbstractDirectMapping) m).getFieldValue(attribute, session);
    }

    /** The insert of a class: its one table, a column per direct attribute and per reference. */
    Plan plan(EntityManager em, Class<?> type) {
        return plans.computeIfAbsent(type, t -> {
            ClassDescriptor d = em.unwrap(Session.class).getClassDescriptor(t);
            if (d == null || d.getTables().size() != 1 || d.hasInheritance() || d.usesOptimisticLocking()) {
                return new Plan(null, "not one plain table");
            }
            List<String> columns = new ArrayList<>();
            List<DatabaseMapping> mappings = new ArrayList<>();
            for (DatabaseMapping m : d.getMappings()) {
                if (m.isDirectToFieldMapping()) {
                    columns.add(m.getField().getName());
                    mappings.add(m);
                } else if (m instanceof OneToOneMapping one && !one.isReadOnly()) {
                    if (one.getForeignKeyFields().size() != 1) {
                        return new Plan(null, "a reference of several columns");
                    }
                    columns.add(one.getForeignKeyFields().get(0).getName());
                    mappings.add(m);
                } else if (!m.isOneToManyMapping() && !m.isReadOnly()) {
                    return new Plan(null, "a mapping of another kind: " + m.getAttributeName());
                }
            }
            String sql = "INSERT INTO " + d.getTableName() + " (" + String.join(", ", columns) + ") VALUES ("
                    + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
            return new Plan(new Insert(d.getTableName(), List.copyOf(columns), sql, List.copyOf(mappings)), null);
        });
    }

    /** Recomputes what an earlier version listed to recompute later (see {@link BulkDerivation#recomputeListed()}). */
    int recomputeListed() {
        return derivation.recomputeListed();
    }
}
