package org.trestle.sync.core.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;

import org.eclipse.persistence.mappings.OneToOneMapping;
import org.eclipse.persistence.sessions.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.core.internal.model.SyncNodeRow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A node's initial load, read from the entity tables as it is sent instead of written to
 * the log when the node registers: registering costs the same at any size, and neither
 * side holds more than a packet of it. The load walks the types parents first; within a
 * type whose entities belong to a parent (its {@code scopedBy} reference) it goes parent
 * by parent, so that the children of one parent arrive together whatever their uuids.
 * Where it stands is a cursor kept with each packet and taken over by the node when it
 * acknowledges that packet: an interrupted load continues after what the node holds.
 * <p>
 * The load's changes are numbered from 1; the log's changes go to such a node with
 * {@link #LOG_SEQ_OFFSET} added to their seqs, so that they follow the load's.
 * <p>
 * The load reads the entities' current state. Changes committed after the node
 * registered are queued for it in the log as for any node and follow the load; one that
 * the load already included arrives again and changes nothing.
 */
final class InitialLoad {

    /** The cursor of a node whose load is complete: nothing more to read. */
    static final String DONE = "done";

    /**
     * Where a load stands: the type being read (its index among the types), the parent
     * whose children are being read ({@code ""} before the first), the last uuid read
     * (within that parent), and how many entities were sent before.
     */
    record Cursor(int phase, String group, String after, long sent) {

        static final Cursor START = new Cursor(0, "", "", 0);

        String text() {
            return phase + "|" + sent + "|" + group + "|" + after;
        }

        /** @return the cursor written by {@link #text()}, or {@code null} for {@link InitialLoad#DONE} or none */
        static Cursor parse(String text) {
            if (text == null || text.equals(DONE)) {
                return null;
            }
            String[] parts = text.split("\\|", -1);
            if (parts.length != 4) {
                throw new IllegalStateException("unreadable load cursor: " + text);
            }
            return new Cursor(Integer.parseInt(parts[0]), parts[2], parts[3], Long.parseLong(parts[1]));
        }
    }

    /** A packet's share of the load: its changes, and the cursor after them ({@link #DONE} at the end). */
    record Page(List<Change> changes, String cursorAfter) {
        boolean finished() {
            return DONE.equals(cursorAfter);
        }
    }

    private final EngineState state;
    private final LoadPageRows.Cache pageRows;
    /** The index {@link #ensureIndexes()} found or made on each scoped type's reference and uuid. */
    private final Map<Class<?>, String> loadIndexes = new ConcurrentHashMap<>();

    InitialLoad(EngineState state) {
        this.state = state;
        this.pageRows = new LoadPageRows.Cache(state, loadIndexes::get);
    }

    /**
     * The seqs the log's changes carry to a node that had its load this way: above every
     * seq of the load, whose changes are numbered from 1 in the order they are sent (a
     * load of more than a trillion entities is not foreseen).
     */
    static final long LOG_SEQ_OFFSET = 1L << 40;

    /**
     * Reads the next changes of a node's load, numbered on from the changes before them.
     *
     * @param cursor      where the load stands ({@link Cursor#text()})
     * @param loggedSince the entities the log has a change of for the node since it
     *                    registered, asked after each page is read (their newest state
     *                    comes from the log: the load leaves them out)
     */
    Page next(EntityManager em, String nodeId, String cursor, int limit,
            Supplier<Set<String>> loggedSince) {
        Cursor at = Cursor.parse(cursor);
        if (at == null) {
            return new Page(List.of(), DONE);
        }
        Set<String> roots = state.nodeScopes.of(nodeId);
        List<Change> out = new ArrayList<>(limit);
        int phase = at.phase();
        String group = at.group();
        String after = at.after();
        while (phase < state.types.size() && out.size() < limit) {
            EntityTypeInfo t = state.types.get(phase);
            if (roots != null && !t.global() && roots.isEmpty()) {
                phase++;
                group = "";
                after = "";
                continue;
            }
            String scope = scopeCondition(t, roots);
            String parent = t.scopedBy();
            int room = limit - out.size();
            List<? extends SyncEntity> read;
            boolean exhausted;
            LoadPageRows rows = roots == null ? pageRows.of(em, t) : null;
            if (parent == null) {
                read = rows != null ? rows.read(em, rows.key() + " > ?", rows.key(), room, after)
                        : query(em, t, "e.uuid > :after" + scope + " order by e.uuid", roots, scope)
                                .setParameter("after", after).setMaxResults(room).getResultList();
                exhausted = read.size() < room;
            } else {
                // the rest of the current parent's children, then those of the next parents, in
                // ranges of a bounded number of parents, so that no query sorts more than a range
                List<SyncEntity> both = new ArrayList<>();
                if (!group.isEmpty()) {
                    both.addAll(rows != null
                            ? rows.read(em, rows.parent() + " = ? and " + rows.key() + " > ?", rows.key(), room, group, after)
                            : query(em, t, "e." + parent + ".uuid = :g and e.uuid > :after" + scope + " order by e.uuid",
                                    roots, scope).setParameter("g", group).setParameter("after", after)
                                    .setMaxResults(room).getResultList());
                }
                String from = group;
                exhausted = false;
                while (both.size() < room) {
                    List<String> parents = em.createQuery("select p.uuid from " + parentEntity(t)
                            + " p where p.uuid > :g order by p.uuid", String.class).setParameter("g", from)
                            .setMaxResults(PARENTS).getResultList();
                    if (parents.isEmpty()) {
                        exhausted = true;
                        break;
                    }
                    String to = parents.get(parents.size() - 1);
                    int want = room - both.size();
                    List<? extends SyncEntity> children = rows != null
                            ? rows.read(em, rows.parent() + " > ? and " + rows.parent() + " <= ?",
                                    rows.parent() + ", " + rows.key(), want, from, to)
                            : query(em, t, "e." + parent + ".uuid > :g and e." + parent + ".uuid <= :to" + scope
                                    + " order by e." + parent + ".uuid, e.uuid", roots, scope).setParameter("g", from)
                                    .setParameter("to", to).setMaxResults(want).getResultList();
                    both.addAll(children);
                    if (children.size() == want) {
                        break;
                    }
                    from = to;
                }
                read = both;
            }
            // read after the page, so that whatever the page's states include is among them
            Set<String> changedSince = read.isEmpty() ? Set.of() : loggedSince.get();
            for (SyncEntity e : read) {
                if (changedSince.contains(e.getUuid())) {
                    // changed since the node registered: its newest state comes from the log, once
                    after = e.getUuid();
                    if (parent != null) {
                        JsonNode g = state.codec.serialize(e).get(parent);
                        group = g == null || g.isNull() ? "" : g.asText();
                    }
                    continue;
                }
                ObjectNode data = state.codec.serialize(e);
                out.add(new Change(at.sent() + out.size() + 1, t.name(), e.getUuid(), Operation.INSERT, e.getUpdatedAt(),
                        data, null, null, null));
                after = e.getUuid();
                if (parent != null) {
                    JsonNode g = data.get(parent);
                    group = g == null || g.isNull() ? "" : g.asText();
                }
            }
            if (exhausted) {
                phase++;
                group = "";
                after = "";
            }
        }
        long sent = at.sent() + out.size();
        return new Page(out, phase >= state.types.size() ? DONE : new Cursor(phase, group, after, sent).text());
    }

    /**
     * @return the condition (after {@code and}) that keeps a query of a type to a node's
     *         scope, bound as {@code :roots}; empty for a node holding everything or a global type
     */
    private String scopeCondition(EntityTypeInfo t, Set<String> roots) {
        return roots != null && !t.global() ? " and " + state.scopes.rootPath(t.name()) + " in :roots" : "";
    }

    /** Parents a range of a load's query spans at most: the children of so many are sorted at once. */
    private static final int PARENTS = 100;

    /** @return the entity name of the type a type's entities belong to (its {@code scopedBy} reference's) */
    private String parentEntity(EntityTypeInfo t) {
        Class<?> target = state.codec.type(t.name()).byName().get(t.scopedBy()).reference();
        return state.entityName(state.codec.typeOf(target).info());
    }

    private TypedQuery<? extends SyncEntity> query(EntityManager em, EntityTypeInfo t, String condition, Set<String> roots,
            String scope) {
        TypedQuery<? extends SyncEntity> q = em.createQuery("select e from " + state.entityName(t)
                + " e where e.deleted = false and " + condition, t.type());
        // read only: the states are serialized and sent, never changed, so they are neither
        // copied into the transaction nor looked over for changes (derived values) at its end
        q.setHint("eclipselink.read-only", "true");
        if (!scope.isEmpty()) {
            q.setParameter("roots", roots);
        }
        return q;
    }

    /**
     * @param roots the node's scope: its roots, or {@code null} for all
     * @return how many entities a load of that scope sends in all, as the tables hold them now
     */
    long total(EntityManager em, Set<String> roots) {
        long total = 0;
        for (EntityTypeInfo t : state.types) {
            if (roots != null && !t.global() && roots.isEmpty()) {
                continue;
            }
            String scope = scopeCondition(t, roots);
            var q = em.createQuery("select count(e) from " + state.entityName(t) + " e where e.deleted = false" + scope,
                    Long.class);
            if (!scope.isEmpty()) {
                q.setParameter("roots", roots);
            }
            total += q.getSingleResult();
        }
        return total;
    }

    /**
     * Gives each table whose entities the load reads parent by parent an index on the
     * reference and the uuid, in that order: a page of the load is then one range of it,
     * read in order, at any size. Made once, on the server. A client serves no loads and
     * would only pay for it on every insert: one made on a client by an earlier version is
     * dropped.
     */
    void ensureIndexes() {
        boolean server = state.isServer();
        for (EntityTypeInfo t : state.types) {
            if (t.scopedBy() == null) {
                continue;
            }
            state.inTx(em -> {
                var descriptor = em.unwrap(Session.class).getClassDescriptor(t.type());
                var mapping = descriptor.getMappingForAttributeName(t.scopedBy());
                if (!(mapping instanceof OneToOneMapping reference)
                        || reference.getForeignKeyFields().size() != 1) {
                    return null;
                }
                String table = descriptor.getTableName();
                String column = reference.getForeignKeyFields().get(0).getName();
                Connection c = em.unwrap(Connection.class);
                try {
                    if (!server) {
                        dropOwnIndex(c, table, column, t);
                        return null;
                    }
                    String name = indexOn(c, table, column);
                    if (name == null) {
                        name = indexName(table, column);
                        try (Statement st = c.createStatement()) {
                            st.executeUpdate("CREATE INDEX " + name + " ON " + table + " (" + column + ", UUID)");
                        }
                        LOG.info("Index {} made for the initial loads of {}", name, t.name());
                    }
                    loadIndexes.put(t.type(), name);
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot index " + table + " for initial loads: " + e.getMessage(), e);
                }
                return null;
            });
        }
    }

    /** Drops the index {@link #ensureIndexes()} names for this reference, where there is one. */
    private static void dropOwnIndex(Connection c, String table, String column, EntityTypeInfo t)
            throws SQLException {
        String name = indexName(table, column);
        boolean found = false;
        var meta = c.getMetaData();
        for (String tableName : new String[] { table, table.toLowerCase(Locale.ROOT) }) {
            try (var rs = meta.getIndexInfo(null, null, tableName, false, false)) {
                while (rs.next()) {
                    found |= name.equalsIgnoreCase(rs.getString("INDEX_NAME"));
                }
            }
        }
        if (found) {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("DROP INDEX " + name);
            }
            LOG.info("Index {} dropped: a client serves no initial loads of {}", name, t.name());
        }
    }

    /** @return the name of an index of the table whose first columns are the reference and the uuid, or {@code null} */
    private static String indexOn(Connection c, String table, String column) throws SQLException {
        Map<String, Map<Integer, String>> indexes = new HashMap<>();
        var meta = c.getMetaData();
        for (String name : new String[] { table, table.toLowerCase(Locale.ROOT) }) {
            try (var rs = meta.getIndexInfo(null, null, name, false, false)) {
                while (rs.next()) {
                    String index = rs.getString("INDEX_NAME");
                    String col = rs.getString("COLUMN_NAME");
                    if (index != null && col != null) {
                        indexes.computeIfAbsent(index, k -> new TreeMap<>()).put(rs.getInt("ORDINAL_POSITION"),
                                col.toUpperCase(Locale.ROOT));
                    }
                }
            }
        }
        for (var index : indexes.entrySet()) {
            var ordered = List.copyOf(index.getValue().values());
            if (ordered.size() >= 2 && ordered.get(0).equals(column.toUpperCase(Locale.ROOT))
                    && ordered.get(1).equals("UUID")) {
                return index.getKey();
            }
        }
        return null;
    }

    /** @return a name for the index, short enough for every database (PostgreSQL keeps 63 characters) */
    static String indexName(String table, String column) {
        String name = "TL_" + table + "_" + column;
        if (name.length() <= 60) {
            return name;
        }
        return name.substring(0, 50) + "_" + Integer.toHexString((table + "." + column).hashCode());
    }

    private static final Logger LOG = LoggerFactory.getLogger(InitialLoad.class);

    /** @return how many entities of a node's load it has not acknowledged yet (0 when none is under way) */
    static long remaining(SyncNodeRow node) {
        Cursor at = Cursor.parse(node.loadCursor);
        return at == null || node.loadTotal == null ? 0 : Math.max(0, node.loadTotal - at.sent());
    }
}
