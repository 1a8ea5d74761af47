package org.trestle.sync.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The client's synchronization with its server: registration, synchronizing now and in
 * the background, file transfer when there is no network, and conflicts. A Declarative
 * Services service of the workbench and of the command line. Every local edit commits
 * at once; this service only moves changes.
 *
 * @since 0.1
 */
public interface SyncService {

    /** @return the engine over this node's database (entities are read and written through it) */
    SyncEngine engine();

    /** @return the current state (counts read from the database: call it off the UI thread) */
    SyncState state();

    /** @return where the synchronization stands, from memory (cheap enough for enablement checks) */
    SyncStatus status();

    /** @return the registered server's base URL, or {@code null} before registration (from the settings) */
    String serverUrl();

    /**
     * Registers this node with a server.
     *
     * @param serverUrl     the server's base URL ({@code https://host:8443})
     * @param code          this node's code
     * @param enrollmentKey the server's enrollment key, or {@code null} for an open server
     * @param fingerprint   the SHA-256 fingerprint of the server's self-signed certificate to
     *                      trust, or {@code null} to trust only certificates the JDK trusts
     * @throws SyncException when the server refuses or cannot be reached, with the reason
     */
    NodeInfo register(String serverUrl, String code, String enrollmentKey, String fingerprint) throws SyncException;

    /**
     * Keeps this node in sync in the background from now on, if it was started without
     * (the command line's one-shot commands are): on the interval, as soon as the server
     * says it holds changes for this node (push), and shortly after every local commit.
     */
    void startBackground();

    /**
     * Asks the server which scope roots this node receives.
     *
     * @throws SyncException when the node is not registered, or the server refuses or cannot be reached
     */
    NodeScope scope() throws SyncException;

    /**
     * Replaces this node's token with a new one from the server and keeps it in secure
     * storage. Until the new token is stored and used once, the old one keeps working, so
     * an interruption at any point leaves the node able to synchronize. Files exported
     * before the rotation are signed with the old token's key and are refused by the server
     * afterwards: import them first, or export again.
     *
     * @throws SyncException when the node is not registered, or the server refuses or cannot be reached
     */
    void rotateToken() throws SyncException;

    /**
     * @return the SHA-256 fingerprint of the server certificate pinned at registration, or
     *         {@code null} when the server's certificate is trusted by the JDK (or there is
     *         no registration)
     */
    String serverFingerprint();

    /** @return the most recent exchanges with the server, newest first (at most ten) */
    List<ExchangeRecord> recentExchanges();

    /**
     * Exchanges with the server until neither side has more to send.
     *
     * @throws SyncException when the server cannot be reached or refuses; nothing is lost
     */
    SyncOutcome syncNow() throws SyncException;

    /** Writes the changes the server has not acknowledged into a file (one GZIP packet). */
    int exportPending(Path file) throws SyncException;

    /**
     * Applies a packet file from the server (for example the answer to an export).
     *
     * @throws SyncException when the file is not a valid packet for this node
     */
    ProcessResult importFile(Path file) throws SyncException;

    /** @return the open conflicts, oldest first */
    List<ConflictRecord> openConflicts();

    /** Resolves a conflict with the entity's state as a person decided it. */
    void resolveConflict(String versionId, ObjectNode data);

    boolean isAutoSync();

    void setAutoSync(boolean on);

    Duration interval();

    void setInterval(Duration interval);

    boolean isCompression();

    void setCompression(boolean on);
}
