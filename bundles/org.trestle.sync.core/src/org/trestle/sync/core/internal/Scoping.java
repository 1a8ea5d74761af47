package org.trestle.sync.core.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import jakarta.persistence.EntityManager;

import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.NodeScope;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Wire;
import org.trestle.sync.core.internal.EntityCodec.AttributeCodec;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;
import org.trestle.sync.core.internal.model.NodeScopeRow;
import org.trestle.sync.core.internal.model.SyncChangeRow;
import org.trestle.sync.core.internal.model.SyncNodeRow;

/**
 * Scopes on the server (which nodes receive which entities, entering and leaving them,
 * writes outside them, entities moving between roots) and evictions on a client.
 */
final class Scoping {

    /** Entities read at a time when queueing a load. */
    private static final int PAGE = 1_000;

    private final EngineState state;
    private final ScopeTree tree;
    private final NodeScopes scopes;
    private final ChangeCapture capture;

    Scoping(EngineState state) {
        this.state = state;
        this.tree = state.scopes;
        this.scopes = state.nodeScopes;
        this.capture = state.capture;
    }

    // ------------------------------------------------------------------ administration

    NodeScope scope(String nodeId) {
        return state.read(em -> scopeOf(em, client(em, nodeId)));
    }

    private static NodeScope scopeOf(EntityManager em, SyncNodeRow n) {
        if (!Boolean.FALSE.equals(n.scopeAll)) {
            return NodeScope.ALL;
        }
        return NodeScope.of(em.createQuery("select s.rootUuid from NodeScopeRow s where s.nodeId = :n order by s.rootUuid",
                String.class).setParameter("n", n.nodeId).getResultList());
    }

    private static SyncNodeRow client(EntityManager em, String nodeId) {
        SyncNodeRow n = em.find(SyncNodeRow.class, nodeId);
        if (n == null || n.self || n.server) {
            throw new IllegalArgumentException("no such node: " + nodeId);
        }
        return n;
    }

    NodeScope setScope(String nodeId, NodeScope wanted) {
        if (!state.isServer()) {
            throw new IllegalStateException("only the server keeps scopes");
        }
        // no packet applies meanwhile: what is queued for the node is the state of one moment;
        // and no packet is built for the node while rows queued for it may be removed
        java.util.concurrent.locks.ReentrantLock nodeLock = state.nodeLock(nodeId);
        nodeLock.lock();
        state.applyLock.lock();
        long[] removedUpTo = { 0 };
        try {
            NodeScope set = state.inTx(em -> {
                state.sharedLog.hold(em);
                SyncNodeRow n = client(em, nodeId);
                if (state.shared) {
                    // no other process builds a packet for the node until this commits
                    em.lock(n, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
                }
                Set<String> after = wanted.all() ? null : new TreeSet<>(wanted.roots());
                if (after != null) {
                    for (String root : after) {
                        if (!liveRoot(em, root)) {
                            throw new IllegalArgumentException(Wire.abbreviate(root) + " is not a live entity of a scope"
                                    + " root type");
                        }
                    }
                }
                NodeScope before = scopeOf(em, n);
                em.createQuery("delete from NodeScopeRow s where s.nodeId = :n").setParameter("n", nodeId).executeUpdate();
                n.scopeAll = after == null ? Boolean.TRUE : Boolean.FALSE;
                if (after != null) {
                    for (String root : after) {
                        NodeScopeRow row = new NodeScopeRow();
                        row.key = NodeScopeRow.key(nodeId, root);
                        row.nodeId = nodeId;
                        row.rootUuid = root;
                        em.persist(row);
                    }
                }
                em.flush();
                LogState.scopesChanged(em, n.sentPacketNo == 0);
                if (n.sentPacketNo == 0) {
                    // nothing was sent yet: the initial load is queued anew for the new scope
                    Long last = em.createQuery("select max(r.seq) from SyncChangeRow r where r.targetNode = :n", Long.class)
                            .setParameter("n", nodeId).getSingleResult();
                    if (last != null) {
                        em.createQuery("delete from SyncChangeRow r where r.targetNode = :n").setParameter("n", nodeId)
                                .executeUpdate();
                        removedUpTo[0] = last;
                    }
                    // the load reads the tables with the scope as it is when each packet is built
                    n.loadCursor = InitialLoad.Cursor.START.text();
                    n.loadTotal = state.load.total(em, after);
                } else {
                    Set<String> had = before.all() ? null : new TreeSet<>(before.roots());
                    Collection<String> entering = after == null ? (had == null ? Set.of() : minus(liveRoots(em), had))
                            : minus(after, had == null ? liveRoots(em) : had);
                    Collection<String> leaving = had == null ? (after == null ? Set.of() : minus(liveRoots(em), after))
                            : minus(had, after == null ? had : after);
                    if (!entering.isEmpty()) {
                        queueSubtrees(em, nodeId, entering);
                    }
                    if (!leaving.isEmpty()) {
                        queueEvictions(em, nodeId, leaving);
                    }
                }
                return after == null ? NodeScope.ALL : NodeScope.of(List.copyOf(after));
            });
            scopes.set(nodeId, set.all() ? null : new LinkedHashSet<>(set.roots()));
            if (removedUpTo[0] > 0) {
                capture.droppedAddressedTo(nodeId, removedUpTo[0]); // the tail still names the removed rows
            }
            return set;
        } finally {
            state.applyLock.unlock();
            nodeLock.unlock();
        }
    }

    private static Set<String> minus(Collection<String> a, Collection<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.removeAll(b);
        return out;
    }

    private boolean liveRoot(EntityManager em, String uuid) {
        for (TypeCodec t : tree.scopedTypes()) {
            if (t.info().scopeRoot()) {
                SyncEntity e = em.find(t.info().type(), uuid);
                if (e != null && !e.isDeleted()) {
                    return true;
                }
            }
        }
        return false;
    }

    private List<String> liveRoots(EntityManager em) {
        List<String> out = new ArrayList<>();
        for (TypeCodec t : tree.scopedTypes()) {
            if (t.info().scopeRoot()) {
                out.addAll(em.createQuery("select e.uuid from " + state.entityName(t.info()) + " e where e.deleted = false",
                        String.class).getResultList());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ loads

    /** Queues the roots and everything under them for one node, parents first. */
    private void queueSubtrees(EntityManager em, String nodeId, Collection<String> roots) {
        for (TypeCodec t : tree.scopedTypes()) {
            queuePages(em, nodeId, t.info(), tree.rootPath(t.info().name()) + " in :roots", roots);
        }
    }

    private void queuePages(EntityManager em, String nodeId, EntityTypeInfo t, String condition, Collection<String> value) {
        Instant now = Wire.now();
        String after = "";
        for (;;) {
            var q = em.createQuery("select e from " + state.entityName(t) + " e where e.deleted = false and e.uuid > :after"
                    + (condition == null ? "" : " and " + condition) + " order by e.uuid", t.type())
                    .setParameter("after", after).setMaxResults(PAGE);
            if (condition != null) {
                q.setParameter(condition.substring(condition.lastIndexOf(':') + 1), value);
            }
            List<? extends SyncEntity> page = q.getResultList();
            for (SyncEntity e : page) {
                SyncChangeRow row = state.stateRow(t.name(), e, nodeId, now);
                row.operation = Operation.INSERT.name();
                capture.queue(row);
                after = e.getUuid();
            }
            em.clear();
            if (page.size() < PAGE) {
                return;
            }
        }
    }

    /** Queues an {@code EVICT} for one node of every live entity under the roots, children first. */
    private void queueEvictions(EntityManager em, String nodeId, Collection<String> roots) {
        List<TypeCodec> types = new ArrayList<>(tree.scopedTypes());
        java.util.Collections.reverse(types);
        for (TypeCodec t : types) {
            List<String> uuids = em.createQuery("select e.uuid from " + state.entityName(t.info()) + " e where "
                    + tree.rootPath(t.info().name()) + " in :roots and e.deleted = false order by e.uuid", String.class)
                    .setParameter("roots", roots).getResultList();
            for (String uuid : uuids) {
                capture.queue(evictRow(t.info().name(), uuid, nodeId));
            }
        }
    }

    private SyncChangeRow evictRow(String type, String uuid, String nodeId) {
        SyncChangeRow row = new SyncChangeRow();
        row.entityType = type;
        row.entityUuid = uuid;
        row.operation = Operation.EVICT.name();
        row.updatedAt = Wire.now();
        row.originNode = state.selfId();
        row.targetNode = nodeId;
        row.createdAt = row.updatedAt;
        return row;
    }

    // ------------------------------------------------------------------ writes from nodes

    /**
     * Refuses a change of a scoped node to an entity whose root, before or after the
     * change, is outside its scope.
     *
     * @throws ApplyException {@code out_of_scope}
     */
    void checkWrite(EntityManager em, String sender, TypeCodec tc, SyncEntity existing, Change c) {
        if (!scopes.limited(sender) || tc.info().global()) {
            return;
        }
        if (existing != null) {
            String before = tree.rootOf(tc, existing);
            if (before != null && !scopes.sees(sender, before)) {
                throw outOfScope(tc, c);
            }
        }
        if (c.operation() == Operation.DELETE || c.data() == null || tc.info().scopeRoot()) {
            return; // a new root joins the sender's scope
        }
        AttributeCodec parent = tree.parentOf(tc.info().name());
        String parentUuid = c.data().path(parent.name()).asText(null);
        if (parentUuid == null) {
            return; // the parent does not change, or the change fails on the missing reference
        }
        TypeCodec parentType = state.codec.typeOf(parent.reference());
        SyncEntity p = em.find(parentType.info().type(), parentUuid);
        if (p != null) {
            String after = tree.rootOf(parentType, p);
            if (after != null && !scopes.sees(sender, after)) {
                throw outOfScope(tc, c);
            }
        }
    }

    private static ApplyException outOfScope(TypeCodec tc, Change c) {
        return new ApplyException("out_of_scope", tc.info().name() + " " + Wire.abbreviate(c.entityUuid())
                + " belongs to a root outside this node's scope");
    }

    /** @return the root the entity belongs to before a change, for {@link #afterWrite} */
    String rootBefore(TypeCodec tc, SyncEntity existing) {
        return existing == null || !tree.any() ? null : tree.rootOf(tc, existing);
    }

    /**
     * After a node's change was applied: a new root it created joins its scope; an entity
     * that moved to another root leaves the nodes that do not receive the new root and
     * arrives, with everything under it, at those that did not receive the old one.
     */
    void afterWrite(EntityManager em, String sender, TypeCodec tc, SyncEntity entity, boolean created, String before) {
        if (tc.info().global()) {
            return;
        }
        if (created && tc.info().scopeRoot() && scopes.limited(sender)) {
            String key = NodeScopeRow.key(sender, entity.getUuid());
            if (em.find(NodeScopeRow.class, key) == null) {
                NodeScopeRow row = new NodeScopeRow();
                row.key = key;
                row.nodeId = sender;
                row.rootUuid = entity.getUuid();
                em.persist(row);
                LogState.scopesChanged(em, false);
            }
            scopes.add(sender, entity.getUuid());
        }
        String after = tree.rootOf(tc, entity);
        if (before == null || after == null || before.equals(after)) {
            return;
        }
        // nodes that receive everything keep the entity; only those holding one of the two roots are told
        Set<String> concerned = new LinkedHashSet<>(scopes.holding(before));
        concerned.addAll(scopes.holding(after));
        for (String node : concerned) {
            boolean hadIt = scopes.sees(node, before);
            boolean getsIt = scopes.sees(node, after);
            if (hadIt && !getsIt) {
                List<String[]> subtree = subtree(em, tc, entity);
                java.util.Collections.reverse(subtree);
                for (String[] e : subtree) {
                    capture.queue(evictRow(e[0], e[1], node));
                }
            } else if (!hadIt && getsIt) {
                Instant now = Wire.now();
                for (String[] e : subtree(em, tc, entity)) {
                    TypeCodec t = state.codec.type(e[0]);
                    SyncEntity found = e[1].equals(entity.getUuid()) ? entity : em.find(t.info().type(), e[1]);
                    SyncChangeRow row = state.stateRow(e[0], found, node, now);
                    row.operation = Operation.INSERT.name();
                    capture.queue(row);
                }
            }
        }
    }

    /** @return the entity and its live descendants as (type, uuid), parents first */
    private List<String[]> subtree(EntityManager em, TypeCodec tc, SyncEntity entity) {
        List<String[]> out = new ArrayList<>();
        out.add(new String[] { tc.info().name(), entity.getUuid() });
        for (TypeCodec t : tree.scopedTypes()) {
            String path = tree.pathTo(t.info().name(), tc.info().name());
            if (path == null) {
                continue;
            }
            for (String uuid : em.createQuery("select e.uuid from " + state.entityName(t.info()) + " e where " + path
                    + ".uuid = :u and e.deleted = false order by e.uuid", String.class).setParameter("u", entity.getUuid())
                    .getResultList()) {
                out.add(new String[] { t.info().name(), uuid });
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ evictions on a client

    /**
     * Removes an evicted entity and what this node holds under it, children first, without
     * recording a change or a tombstone: it left this node's scope and lives on elsewhere.
     * Local changes not sent yet stay in the log and are still sent.
     */
    void evict(EntityManager em, TypeCodec tc, String uuid) {
        SyncEntity entity = em.find(tc.info().type(), uuid);
        if (entity == null) {
            return;
        }
        List<TypeCodec> types = new ArrayList<>(tree.scopedTypes());
        java.util.Collections.reverse(types);
        for (TypeCodec t : types) {
            String path = tree.pathTo(t.info().name(), tc.info().name());
            if (path == null) {
                continue;
            }
            for (SyncEntity child : em.createQuery("select e from " + state.entityName(t.info()) + " e where " + path
                    + ".uuid = :u", t.info().type()).setParameter("u", uuid).getResultList()) {
                capture.markEvicted(child.getUuid());
                em.remove(child);
            }
        }
        capture.markEvicted(uuid);
        em.remove(entity);
    }
}
