package org.trestle.sync.server.internal;

import java.net.URI;
import java.util.Optional;

/**
 * The outcome of starting the server, registered as a service whether it started or not,
 * so that the application (or a test) can tell a failure from a server still starting.
 *
 * @param uri     where the server listens, when it started
 * @param failure why it did not start, in words for an administrator
 * @param fingerprint SHA-256 fingerprint of the TLS certificate, when serving HTTPS
 * @param finished  what a one-off task run instead of serving (moving the database) did, when it did
 */
public record ServerStatus(Optional<URI> uri, Optional<String> failure, Optional<String> fingerprint,
        Optional<String> finished) {

    static ServerStatus started(URI uri, String fingerprint) {
        return new ServerStatus(Optional.of(uri), Optional.empty(), Optional.ofNullable(fingerprint), Optional.empty());
    }

    static ServerStatus failed(String reason) {
        return new ServerStatus(Optional.empty(), Optional.of(reason), Optional.empty(), Optional.empty());
    }

    static ServerStatus finished(String report) {
        return new ServerStatus(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(report));
    }
}
