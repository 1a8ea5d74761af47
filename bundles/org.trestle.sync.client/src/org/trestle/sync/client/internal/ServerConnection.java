package org.trestle.sync.client.internal;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.NodeScope;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncStatus;
import org.trestle.sync.client.HttpTransport;
import org.trestle.sync.client.ServerUrl;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * This node's link to its server: whether it is registered, the authenticated transport
 * to the server it registered with, and what it asks the server outside an exchange
 * (its scope, a new token).
 */
final class ServerConnection {

    private static final Logger LOG = LoggerFactory.getLogger(ServerConnection.class);
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final SyncEngine engine;
    private final TokenStore tokens;
    private final ClientSettings prefs;

    ServerConnection(SyncEngine engine, TokenStore tokens, ClientSettings prefs) {
        this.engine = engine;
        this.tokens = tokens;
        this.prefs = prefs;
    }

    boolean registered() {
        return engine.self() != null && engine.syncManager().serverNodeId() != null && tokens.token() != null;
    }

    static URI serverUri(String serverUrl) throws SyncException {
        try {
            return ServerUrl.parse(serverUrl);
        } catch (IllegalArgumentException e) {
            throw new SyncException(null, e.getMessage(), e);
        }
    }

    /** @return the transport to the registered server, with this node's token */
    HttpTransport transport() throws SyncException {
        if (!registered()) {
            throw new SyncException(SyncStatus.UNREGISTERED, "This node is not registered with a server yet", null);
        }
        return new HttpTransport(serverUri(prefs.serverUrl()), prefs.fingerprint(), TIMEOUT,
                engine.packetManager()).authenticated(tokens.token(), prefs.compression());
    }

    /** @return the scope the server keeps for this node */
    NodeScope scope() throws SyncException {
        JsonNode scope = transport().status(engine.self().nodeId()).path("scope");
        if (scope.isArray()) {
            List<String> roots = new ArrayList<>();
            scope.forEach(r -> roots.add(r.asText()));
            return NodeScope.of(roots);
        }
        return NodeScope.ALL;
    }

    /** Asks the server for a new token, keeps it, and uses it once so that the old one retires. */
    void rotateToken() throws SyncException {
        HttpTransport transport = transport();
        String rotated = transport.rotateToken();
        try {
            tokens.setToken(rotated);
        } catch (IOException e) {
            // the server still accepts the old token, which stays in use
            throw new SyncException(null, "The new token could not be stored; the old one stays in use: "
                    + e.getMessage(), e);
        }
        transport.authenticated(rotated, prefs.compression()).status(engine.self().nodeId());
        LOG.info("Token rotated; the server no longer accepts the previous one");
    }
}
