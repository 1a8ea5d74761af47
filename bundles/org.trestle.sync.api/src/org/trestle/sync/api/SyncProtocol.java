package org.trestle.sync.api;

/**
 * Constants of the sync wire protocol, version 1 (see {@code docs/protocol.md}).
 * Client, server and tools share them so that header names, media types and version
 * numbers are spelled in exactly one place.
 *
 * @since 0.1
 */
public final class SyncProtocol {

    /** The protocol version carried in every packet's {@code protocol} field. */
    public static final int PROTOCOL_VERSION = 1;

    /**
     * The version of the synchronized schema this build ships. Nodes whose major
     * version differs cannot exchange packets.
     */
    public static final String SCHEMA_VERSION = "1.0.0";

    /** Media type of the raw GZIP exchange form. */
    public static final String MEDIA_TYPE_PACKET_GZIP = "application/vnd.sync.packet+gzip";

    /** Header that carries the server's enrollment key on registration. */
    public static final String HEADER_ENROLLMENT_KEY = "X-Enrollment-Key";

    /** Path prefix of every sync endpoint. */
    public static final String API_PREFIX = "/api/sync";

    /** Path of the health endpoint, which needs no authentication. */
    public static final String HEALTH_PATH = API_PREFIX + "/health";

    private SyncProtocol() {
    }

    /**
     * Returns the major version of a semantic version string such as {@code 1.0.0}.
     *
     * @param semver a version of the form {@code MAJOR[.MINOR[.PATCH]]}
     * @return the major version
     * @throws IllegalArgumentException if the string does not start with a number
     */
    public static int majorVersion(String semver) {
        if (semver == null) {
            throw new IllegalArgumentException("version is missing");
        }
        int dot = semver.indexOf('.');
        String major = dot < 0 ? semver : semver.substring(0, dot);
        if (major.isEmpty() || major.length() > 9 || !major.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("not a semantic version: " + semver);
        }
        return Integer.parseInt(major);
    }
}
