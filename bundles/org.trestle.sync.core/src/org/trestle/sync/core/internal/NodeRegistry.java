package org.trestle.sync.core.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.persistence.EntityManager;

import org.trestle.sync.api.AdminToken;
import org.trestle.sync.api.ChangeError;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.NodeAdministration;
import org.trestle.sync.api.NodeCounts;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.NodeScope;
import org.trestle.sync.api.PruneReport;
import org.trestle.sync.api.packet.Wire;
import org.trestle.sync.core.internal.model.DeferredRow;
import org.trestle.sync.core.internal.model.SyncChangeRow;
import org.trestle.sync.core.internal.model.SyncNodeRow;
import org.trestle.sync.core.internal.model.VersionHistoryRow;

/**
 * The nodes this node knows: setting itself up as server or client, registering clients
 * (with the queueing of their initial load), tokens, revocation, and what an
 * administrator counts and backs up.
 */
final class NodeRegistry implements NodeAdministration {

    private static final Pattern CODE = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$");

    private final EngineState state;
    private final List<EntityTypeInfo> types;
    private final ChangeCapture capture;
    private final Pruning pruning;
    private final AdminTokens adminTokens;
    private final NodeTokens tokens;
    private final DeadLetters deadLetters;

    NodeRegistry(EngineState state) {
        this.state = state;
        this.types = state.types;
        this.capture = state.capture;
        this.pruning = new Pruning(state);
        this.adminTokens = new AdminTokens(state);
        this.tokens = new NodeTokens(state);
        this.deadLetters = new DeadLetters(state);
    }

    /** @return this node, or {@code null} before it was set up */
    NodeInfo self() {
        String id = state.selfId();
        return id == null ? null : node(id).orElse(null);
    }

    NodeInfo initializeServer(String code) {
        checkCode(code);
        state.inTx(em -> {
            SyncNodeRow self = selfRow(em);
            if (self == null) {
                self = newNode(UUID.randomUUID().toString(), code, "Trestle server");
                self.self = true;
                self.server = true;
                em.persist(self);
            } else if (!self.server) {
                throw new IllegalStateException("this node is already set up as a client");
            }
            return null;
        });
        state.loadNodes();
        state.adoption.logAdopted();
        state.load.ensureIndexes();
        return self();
    }

    /**
     * Gives a client that has not registered yet an identity of its own, so that edits
     * made before registration are captured; registering later takes them along.
     */
    NodeInfo initializeLocal() {
        state.inTx(em -> {
            if (selfRow(em) == null) {
                String id = UUID.randomUUID().toString();
                SyncNodeRow self = newNode(id, "unregistered-" + id.substring(0, 8), "This computer");
                self.self = true;
                em.persist(self);
            }
            return null;
        });
        state.loadNodes();
        state.adoption.logAdopted();
        state.load.ensureIndexes();
        return self();
    }

    NodeInfo initializeClient(String selfNodeId, String selfCode, String serverNodeId) {
        checkCode(selfCode);
        state.inTx(em -> {
            SyncNodeRow self = selfRow(em);
            if (self != null) {
                if (self.server) {
                    throw new IllegalStateException("this node is set up as a server");
                }
                if (!self.nodeId.equals(selfNodeId)) {
                    rebind(em, self, selfNodeId, selfCode, serverNodeId);
                }
                return null;
            }
            self = newNode(selfNodeId, selfCode, selfCode);
            self.self = true;
            em.persist(self);
            SyncNodeRow master = newNode(serverNodeId, "server", "Trestle server");
            master.server = true;
            em.persist(master);
            return null;
        });
        state.loadNodes();
        state.adoption.logAdopted();
        state.load.ensureIndexes();
        return self();
    }

    /**
     * The node registered again (its old token was revoked or lost) and got a new id:
     * its own changes are re-labelled, and the server's packet numbering starts over for
     * the new identity, so that nothing local is lost and nothing from the server is
     * mistaken for stale.
     */
    private void rebind(EntityManager em, SyncNodeRow self, String newId, String newCode, String serverNodeId) {
        String oldId = self.nodeId;
        SyncNodeRow fresh = newNode(newId, newCode, newCode);
        fresh.self = true;
        em.remove(self);
        em.flush();
        em.persist(fresh);
        em.createQuery("update SyncChangeRow r set r.originNode = :n where r.originNode = :o").setParameter("n", newId)
                .setParameter("o", oldId).executeUpdate();
        capture.forgetTail();
        SyncNodeRow master = em.find(SyncNodeRow.class, serverNodeId);
        if (master == null) {
            master = newNode(serverNodeId, "server", "Trestle server");
            master.server = true;
            em.persist(master);
        }
        master.receivedPacketNo = 0;
        master.revoked = false;
    }

    /**
     * Registers a client node with the hash of its auth token, in one transaction with
     * the queueing of its initial load.
     */
    @Override
    public NodeInfo registerNode(String code, String name, String description, String schemaVersion, String tokenHash) {
        checkCode(code);
        if (!state.isServer()) {
            throw new IllegalStateException("only the server registers nodes");
        }
        // No packet is applied meanwhile: a change committed after the entities were read
        // but numbered before the initial load would reach the node first and then be
        // overwritten there by the older state.
        state.applyLock.lock();
        String id;
        try {
            id = registerLocked(code, name, description, schemaVersion, tokenHash);
        } finally {
            state.applyLock.unlock();
        }
        state.peers.add(id);
        return node(id).orElseThrow();
    }

    private String registerLocked(String code, String name, String description, String schemaVersion, String tokenHash) {
        return state.inTx(em -> {
            long seen = state.sharedLog.hold(em);
            Long taken = em.createQuery("select count(n) from SyncNodeRow n where n.code = :c", Long.class)
                    .setParameter("c", code).getSingleResult();
            if (taken > 0) {
                throw new IllegalArgumentException("the node code " + code + " is already registered");
            }
            SyncNodeRow node = newNode(UUID.randomUUID().toString(), code, name == null ? code : name);
            node.description = description;
            node.schemaVersion = schemaVersion;
            node.tokenHash = tokenHash;
            node.ackedSeq = seen;
            em.persist(node);
            // its initial load is read from the tables as it is sent (InitialLoad)
            node.loadCursor = InitialLoad.Cursor.START.text();
            node.seqOffset = InitialLoad.LOG_SEQ_OFFSET;
            em.flush();
            node.loadTotal = state.load.total(em, null);
            return node.nodeId;
        });
    }

    /** Marks a node revoked: its packets are refused and nothing more is queued for it. */
    @Override
    public void recordProductVersion(String nodeId, String productVersion) {
        state.inTx(em -> {
            SyncNodeRow n = em.find(SyncNodeRow.class, nodeId);
            if (n != null && !n.self && !Objects.equals(n.productVersion, productVersion)) {
                n.productVersion = productVersion;
            }
            return null;
        });
    }

    @Override
    public void revoke(String nodeId) {
        state.inTx(em -> {
            SyncNodeRow n = em.find(SyncNodeRow.class, nodeId);
            if (n == null || n.self) {
                throw new IllegalArgumentException("no such node: " + nodeId);
            }
            n.revoked = true;
            // changes it sent that still wait for a reference are dropped, never applied later
            em.createQuery("delete from DeferredRow d where d.sender = :s").setParameter("s", nodeId).executeUpdate();
            return null;
        });
        state.peers.remove(nodeId);
    }

    @Override
    public String release(String nodeId) {
        return state.inTx(em -> {
            SyncNodeRow n = em.find(SyncNodeRow.class, nodeId);
            if (n == null || n.self) {
                throw new IllegalArgumentException("no such node: " + nodeId);
            }
            if (!n.revoked) {
                throw new IllegalStateException("node " + n.code + " is not revoked: revoke it before releasing its code");
            }
            String suffix = ".released-" + nodeId.substring(0, 8);
            String kept = n.code.endsWith(suffix) ? n.code
                    : n.code.substring(0, Math.min(n.code.length(), 64 - suffix.length())) + suffix;
            n.code = kept;
            return kept;
        });
    }

    @Override
    public void setSealedFileKey(String nodeId, String sealedKey) {
        tokens.setSealedFileKey(nodeId, sealedKey);
    }

    @Override
    public Optional<String> sealedFileKey(String nodeId) {
        return tokens.sealedFileKey(nodeId);
    }

    @Override
    public Optional<NodeInfo> nodeByTokenHash(String tokenHash, boolean withPending) {
        return tokens.nodeByTokenHash(tokenHash, withPending);
    }

    @Override
    public NodeScope scope(String nodeId) {
        return state.scoping.scope(nodeId);
    }

    @Override
    public NodeScope setScope(String nodeId, NodeScope scope) {
        return state.scoping.setScope(nodeId, scope);
    }

    @Override
    public void rotateToken(String nodeId, String newTokenHash) {
        tokens.rotate(nodeId, newTokenHash);
    }

    @Override
    public AdminToken createAdminToken(String name, String tokenHash) {
        return adminTokens.create(name, tokenHash);
    }

    @Override
    public void ensureAdminToken(String name, String tokenHash) {
        adminTokens.ensure(name, tokenHash);
    }

    @Override
    public Optional<AdminToken> adminTokenByHash(String tokenHash) {
        return adminTokens.byHash(tokenHash);
    }

    @Override
    public List<AdminToken> adminTokens() {
        return adminTokens.list();
    }

    @Override
    public AdminToken revokeAdminToken(String name) {
        return adminTokens.revoke(name);
    }

    Optional<NodeInfo> node(String nodeId) {
        return Optional.ofNullable(state.read(em -> {
            SyncNodeRow n = em.find(SyncNodeRow.class, nodeId);
            return n == null ? null : info(em, n);
        }));
    }

    List<NodeInfo> nodes() {
        return state.read(em -> em.createQuery("select n from SyncNodeRow n order by n.code", SyncNodeRow.class).getResultList()
                .stream().map(n -> info(em, n)).toList());
    }

    static NodeInfo info(EntityManager em, SyncNodeRow n) {
        long pending = n.self ? 0 : Outbox.count(em, n) + InitialLoad.remaining(n);
        return new NodeInfo(n.nodeId, n.code, n.name, n.self, n.server, n.revoked, n.lastSyncIn, n.lastSyncOut,
                n.sentPacketNo, n.receivedPacketNo, pending, n.typeVersionsMap(), n.productVersion);
    }

    /** @return the changes kept because they could not be applied, newest last */
    @Override
    public List<ChangeError> deadLetters(String entityType, String entityUuid, int offset, int limit) {
        return deadLetters.page(entityType, entityUuid, offset, limit);
    }

    @Override
    public List<ChangeError> deadLetters() {
        return deadLetters.all();
    }

    private static void checkCode(String code) {
        if (code == null || !CODE.matcher(code).matches()) {
            throw new IllegalArgumentException("invalid node code '" + Wire.abbreviate(code)
                    + "': 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
    }

    private static SyncNodeRow newNode(String id, String code, String name) {
        SyncNodeRow n = new SyncNodeRow();
        n.nodeId = id;
        n.code = code;
        n.name = name;
        n.createdAt = Wire.now();
        return n;
    }

    private static SyncNodeRow selfRow(EntityManager em) {
        List<SyncNodeRow> rows = em.createQuery("select n from SyncNodeRow n where n.self = true", SyncNodeRow.class)
                .getResultList();
        return rows.isEmpty() ? null : rows.get(0);
    }

    @Override
    public PruneReport prune(Duration changeRetention, Duration errorRetention) {
        return pruning.prune(changeRetention, errorRetention);
    }

    @Override
    public Map<String, Long> waitingForPlugins() {
        return deadLetters.waitingForPlugins();
    }

    @Override
    public NodeCounts counts() {
        return state.read(em -> new NodeCounts(
                em.createQuery("select count(n) from SyncNodeRow n where n.self = false", Long.class).getSingleResult(),
                em.createQuery("select count(h) from VersionHistoryRow h where h.open = true", Long.class).getSingleResult(),
                em.createQuery("select count(d) from DeadLetterRow d", Long.class).getSingleResult(),
                em.createQuery("select count(d) from DeferredRow d", Long.class).getSingleResult()));
    }

    @Override
    public Path backup(Path target) {
        return state.store.backup(target);
    }

    @Override
    public Path databaseFolder() {
        return state.store.databaseFolder();
    }
}
