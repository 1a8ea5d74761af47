package org.trestle.sync.core.internal;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
    private final Map<String, Set<String>> limited = new ConcurrentHashMap<>();

    void load(EntityManager em) {
        limited.clear();
        for (SyncNodeRow n : em.createQuery("select n from SyncNodeRow n where n.scopeAll = false", SyncNodeRow.class)
                .getResultList()) {
            limited.put(n.nodeId, ConcurrentHashMap.newKeySet());
        }
        for (NodeScopeRow r : em.createQuery("select s from NodeScopeRow s", NodeScopeRow.class).getResultList()) {
            Set<String> roots = limited.get(r.nodeId);
            if (roots != null) {
                roots.add(r.rootUuid);
            }
        }
    }

    /** @return the roots the node receives, or {@code null} when it receives everything */
    Set<String> of(String nodeId) {
        Set<String> roots = limited.get(nodeId);
        return roots == null ? null : Set.copyOf(roots);
    }

    /** @return whether the node receives the entities of this root ({@code null}: a global type's) */
    boolean sees(String nodeId, String root) {
        if (root == null) {
            return true;
        }
        Set<String> roots = limited.get(nodeId);
        return roots == null || roots.contains(root);
    }

    /** @return the nodes that do not receive everything */
    Set<String> limitedNodes() {
        return Set.copyOf(limited.keySet());
    }

    boolean limited(String nodeId) {
        return limited.containsKey(nodeId);
    }

    /** @param roots the roots the node receives from now on, or {@code null} for everything */
    void set(String nodeId, Set<String> roots) {
        if (roots == null) {
            limited.remove(nodeId);
        } else {
            Set<String> copy = ConcurrentHashMap.newKeySet();
            copy.addAll(roots);
            limited.put(nodeId, copy);
        }
    }

    void add(String nodeId, String root) {
        Set<String> roots = limited.get(nodeId);
        if (roots != null) {
            roots.add(root);
        }
    }
}
