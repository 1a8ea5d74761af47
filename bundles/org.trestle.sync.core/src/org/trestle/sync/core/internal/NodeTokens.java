package org.trestle.sync.core.internal;

import java.util.Optional;

import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.core.internal.model.SyncNodeRow;

/**
 * The nodes' tokens (as hashes) and the sealed keys their files are signed with: looking a
 * node up by its token, and rotating it so that the old token works until the new one is
 * first used.
 */
final class NodeTokens {

    private final EngineState state;
    private final Queries queries;

    NodeTokens(EngineState state) {
        this.state = state;
        this.queries = state.queries;
    }

    void setSealedFileKey(String nodeId, String sealedKey) {
        state.inTx(em -> {
            SyncNodeRow n = em.find(SyncNodeRow.class, nodeId);
            if (n == null || n.self) {
                throw new IllegalArgumentException("no such node: " + nodeId);
            }
            n.fileKey = sealedKey;
            return null;
        });
    }

    Optional<String> sealedFileKey(String nodeId) {
        return Optional.ofNullable(state.read(em -> {
            SyncNodeRow n = em.find(SyncNodeRow.class, nodeId);
            return n == null ? null : n.fileKey;
        }));
    }

    /** The live node whose token, or whose token before a rotation not yet followed by a use of the new one, has this hash. */
    Optional<NodeInfo> nodeByTokenHash(String tokenHash, boolean withPending) {
        // one indexed lookup per column: with "or" the database reads (and waits for) every node's row
        SyncNodeRow found = state.read(em -> {
            for (String column : new String[] { "tokenHash", "previousTokenHash" }) {
                SyncNodeRow n = queries.of(em, "select n from SyncNodeRow n where n." + column + " = :h",
                        SyncNodeRow.class).setParameter("h", tokenHash).getResultStream().findFirst().orElse(null);
                if (n != null) {
                    return n.revoked || n.self ? null : n;
                }
            }
            return null;
        });
        if (found == null) {
            return Optional.empty();
        }
        if (tokenHash.equals(found.tokenHash) && found.previousTokenHash != null) {
            forgetPreviousToken(found.nodeId); // the new token was used: the node has it
        }
        if (!withPending) {
            return Optional.of(new NodeInfo(found.nodeId, found.code, found.name, found.self, found.server, found.revoked,
                    found.lastSyncIn, found.lastSyncOut, found.sentPacketNo, found.receivedPacketNo, -1,
                    found.typeVersionsMap(), found.productVersion));
        }
        return Optional.of(state.read(em -> NodeRegistry.info(em, found)));
    }

    private void forgetPreviousToken(String nodeId) {
        state.inTx(em -> {
            SyncNodeRow n = em.find(SyncNodeRow.class, nodeId);
            if (n != null) {
                n.previousTokenHash = null;
            }
            return null;
        });
    }

    void rotate(String nodeId, String newTokenHash) {
        state.inTx(em -> {
            SyncNodeRow n = em.find(SyncNodeRow.class, nodeId);
            if (n == null || n.self || n.revoked) {
                throw new IllegalArgumentException("no such live node: " + nodeId);
            }
            if (n.previousTokenHash == null) {
                n.previousTokenHash = n.tokenHash;
            } // else: the node asks again with the old token, whose answer was lost; the unused new one goes
            n.tokenHash = newTokenHash;
            return null;
        });
    }
}
