package org.trestle.sync.api;

import java.time.Instant;

/**
 * A named token of the server's administration API. The token itself is shown once, when
 * it is created; the server keeps only its hash.
 *
 * @param revokedAt when it was revoked, or {@code null} while it is valid
 * @since 0.1
 */
public record AdminToken(String name, Instant createdAt, Instant revokedAt) {

    public boolean revoked() {
        return revokedAt != null;
    }
}
