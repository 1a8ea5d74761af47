package org.trestle.sync.server.internal;

import java.util.Optional;

import org.eclipse.jetty.server.Request;
import org.trestle.sync.api.AdminToken;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.SyncEngine;

/** Who is asking: a node by its bearer token (stored only as a hash), or an administrator. */
final class Authentication {

    private final SyncEngine engine;

    Authentication(SyncEngine engine) {
        this.engine = engine;
    }

    NodeInfo node(Request request) {
        return node(request, false);
    }

    /** @param withPending whether the caller's pending-change count is needed (the status endpoint) */
    NodeInfo node(Request request, boolean withPending) {
        String token = Http.bearer(request);
        if (token == null) {
            throw ApiError.unauthorized("An Authorization: Bearer <token> header is required");
        }
        Optional<NodeInfo> node = engine.administration().nodeByTokenHash(Secrets.hash(token), withPending);
        if (node.isEmpty()) {
            throw ApiError.unauthorized("The token is not valid (unknown or revoked); register the node again");
        }
        return node.get();
    }

    /**
     * Lets an administrator through; a node's token is told it cannot administer. Admin
     * tokens are looked up by their hash, as node tokens are: the database holds no token.
     *
     * @return the name of the admin token, for the log of what was done with it
     * @throws ApiError {@code 401} without a valid admin token, {@code 403} for a node token
     */
    String admin(Request request) {
        String token = Http.bearer(request);
        if (token == null) {
            throw ApiError.unauthorized("An Authorization: Bearer <admin token> header is required");
        }
        String hash = Secrets.hash(token);
        Optional<AdminToken> admin = engine.administration().adminTokenByHash(hash);
        if (admin.isEmpty()) {
            if (engine.administration().nodeByTokenHash(hash, false).isPresent()) {
                throw ApiError.forbidden("A node token cannot administer the server");
            }
            throw ApiError.unauthorized("The admin token is not valid (unknown or revoked)");
        }
        return admin.get().name();
    }
}
