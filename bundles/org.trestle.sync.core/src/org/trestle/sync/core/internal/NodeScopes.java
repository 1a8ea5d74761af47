package org.trestle.sync.core.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import jakarta.persistence.EntityManager;

import org.trestle.sync.core.internal.model.NodeScopeRow;
import org.trestle.sync.core.internal.model.SyncNodeRow;

/**
 * The scopes of the nodes that do not receive everything, in memory (server only), so
 * that building a packet from the log's tail can tell which rows a node receives. The
 * database ({@code SCOPE_ALL} and {@code SYNC_NODE_SCOPES}) stays the truth; this copy is
 * changed only after the database committed.
 */
final class NodeScopes {

    /** Node id to the roots it receives; a node that is absent receives everything. */
    private final Map<String, Set<String>> limited = new HashMap<>();
    /** Root to the limited nodes whose scope holds it: the same facts, indexed the other way. */
    private final Map<String, Set<String>> holders = new HashMap<>();

    synchronized void load(EntityManager em) {
        limited.clear();
        holders.clear();
        for (SyncNodeRow n : em.createQuery("select n from SyncNodeRow n where n.scopeAll = false", SyncNodeRow.class)
                .getResultList()) {
            limited.put(n.nodeId, new HashSet<>());
        }
        for (NodeScopeRow r : em.createQuery("select s from NodeScopeRow s", NodeScopeRow.class).getResultList()) {
            add(r.nodeId, r.rootUuid);
        }
    }

    /** @return the roots the node receives, or {@code null} when it receives everything */
    synchronized Set<String> of(String nodeId) {
        Set<String> roots = limited.get(nodeId);
        return roots == null ? null : Set.copyOf(roots);
    }

    /** @return whether the node receives the entities of this root ({@code null}: a global type's) */
    synchronized boolean sees(String nodeId, String root) {
        if (root == null) {
            return true;
        }
        Set<String> roots = limited.get(nodeId);
        return roots == null || roots.contains(root);
    }

    /** @return the nodes with a limited scope that holds this root */
    synchronized Set<String> holding(String root) {
        Set<String> nodes = holders.get(root);
        return nodes == null ? Set.of() : Set.copyOf(nodes);
    }

    synchronized boolean limited(String nodeId) {
        return limited.containsKey(nodeId);
    }

    /** @param roots the roots the node receives from now on, or {@code null} for everything */
    synchronized void set(String nodeId, Set<String> roots) {
        Set<String> old = limited.remove(nodeId);
        if (old != null) {
            for (String root : old) {
                Set<String> nodes = holders.get(root);
                nodes.remove(nodeId);
                if (nodes.isEmpty()) {
                    holders.remove(root);
                }
            }
        }
        if (roots != null) {
            limited.put(nodeId, new HashSet<>());
            roots.forEach(root -> add(nodeId, root));
        }
    }

    /** Adds a root to the scope of a node with a limited scope; a node that receives everything is left as it is. */
    synchronized void add(String nodeId, String root) {
        Set<String> roots = limited.get(nodeId);
        if (roots != null && roots.add(root)) {
            holders.computeIfAbsent(root, k -> new HashSet<>()).add(nodeId);
        }
    }
}
