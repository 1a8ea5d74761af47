package org.trestle.sync.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a server (and the support tools of a client) administer: nodes and their tokens,
 * changes kept aside, counts, and backups.
 *
 * @since 0.1
 */
public interface NodeAdministration {

    /**
     * Registers a client node with the hash of its auth token, in one transaction with
     * the queueing of its initial load (server only).
     *
     * @param schemaVersion the schema version the node speaks, or {@code null}
     * @param tokenHash     the hash of the node's token, or {@code null} for a node without one
     * @throws IllegalArgumentException when the code is invalid or taken
     */
    NodeInfo registerNode(String code, String name, String description, String schemaVersion, String tokenHash);

    /**
     * @param withPending whether to count the node's pending changes (a query over the
     *                    change log); an exchange needs only who the caller is
     * @return the live (not revoked) node whose token has this hash
     */
    Optional<NodeInfo> nodeByTokenHash(String tokenHash, boolean withPending);

    /**
     * @return the scope of a client node (server only)
     * @throws IllegalArgumentException when there is no such client node
     */
    NodeScope scope(String nodeId);

    /**
     * Sets the scope of a client node (server only). Roots that enter it are queued for the
     * node with everything under them, parents first; entities under roots that leave it are
     * queued as {@code EVICT}s, children first. Before the node's first exchange, its initial
     * load is queued anew instead, so nothing is evicted that was never sent.
     *
     * @throws IllegalArgumentException when there is no such client node, or a uuid is not a
     *                                  live entity of a scope root type
     */
    NodeScope setScope(String nodeId, NodeScope scope);

    /**
     * Gives a node a new token. The token it replaces stays valid until the new one is
     * first used, so a node that did not receive the answer asks again with the old one.
     *
     * @param newTokenHash the hash of the new token
     * @throws IllegalArgumentException when there is no such live node
     */
    void rotateToken(String nodeId, String newTokenHash);

    /**
     * Adds a named administration token (server only).
     *
     * @throws IllegalArgumentException when the name is invalid
     * @throws IllegalStateException when the name is already used (revoked names stay used)
     */
    AdminToken createAdminToken(String name, String tokenHash);

    /**
     * Makes sure the token configured for the server is an administration token under
     * this name: added when missing, its hash replaced (and valid again) when the
     * configured token changed, left as it is (even revoked) when it is the same.
     */
    void ensureAdminToken(String name, String tokenHash);

    /** @return the valid administration token with this hash */
    Optional<AdminToken> adminTokenByHash(String tokenHash);

    /** @return every administration token, revoked ones included, by name */
    List<AdminToken> adminTokens();

    /**
     * Revokes an administration token.
     *
     * @throws java.util.NoSuchElementException when there is no such token
     * @throws IllegalStateException when it is the last valid one
     */
    AdminToken revokeAdminToken(String name);

    /**
     * Keeps the key a node's sync files are signed with, sealed by the server with a key of
     * its own that the database does not hold.
     */
    void setSealedFileKey(String nodeId, String sealedKey);

    /** @return the node's sealed file key, if it has one (nodes registered before it existed get one at their next exchange) */
    Optional<String> sealedFileKey(String nodeId);

    /**
     * Keeps the product version a node said it runs when it exchanged (server side), so that
     * an administrator sees who runs which version during a rollout.
     *
     * @param productVersion at most 64 characters, or {@code null} when the node did not say
     */
    void recordProductVersion(String nodeId, String productVersion);

    /**
     * Marks a node revoked: its packets are refused and nothing more is queued for it.
     *
     * @throws IllegalArgumentException when there is no such node
     */
    void revoke(String nodeId);

    /**
     * Releases a revoked node's code, so that a laptop can register under it again; the
     * revoked node's record stays, under the returned code.
     *
     * @return the code the revoked node's record keeps from now on
     * @throws IllegalArgumentException when there is no such node
     * @throws IllegalStateException when the node is not revoked
     */
    String release(String nodeId);

    /**
     * Removes what the sync log no longer needs, so that years of use keep it bounded:
     * changes every node they are queued for has acknowledged, changes the server holds a
     * later change of the same entity for (a node that was away longer than the retention
     * receives that later change, which carries the whole state), records of acknowledged
     * packets, and changes kept aside that are older than their retention. Nothing younger
     * than the retention is removed; nothing a node still needs is ever removed.
     *
     * @param changeRetention how long changes and packet records are kept at least
     * @param errorRetention  how long changes kept aside for an administrator are kept
     */
    PruneReport prune(java.time.Duration changeRetention, java.time.Duration errorRetention);

    /** @return counts of peers, open conflicts and changes kept aside */
    NodeCounts counts();

    /**
     * @return the changes received of entity types no installed plugin declares, by type
     *         name: kept, and applied by themselves once the plugin is installed
     */
    java.util.Map<String, Long> waitingForPlugins();

    /** @return the changes kept because they could not be applied, oldest first */
    List<ChangeError> deadLetters();

    /**
     * A page of the changes kept because they could not be applied, oldest first, selected
     * in the database.
     *
     * @param entityType only this type's, or {@code null} for all
     * @param entityUuid only this entity's, or {@code null} for all
     */
    List<ChangeError> deadLetters(String entityType, String entityUuid, int offset, int limit);

    /**
     * An online backup of this node's database into {@code target}, while it keeps serving.
     *
     * @return the folder holding the copy of the database
     */
    Path backup(Path target);

    /** @return the folder holding this node's database */
    Path databaseFolder();
}
