package org.trestle.sync.server.internal;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

import org.trestle.sync.api.SyncProtocol;

/**
 * The server's settings, read from framework (or system) properties that the launcher
 * sets from its command line.
 *
 * @param host          address to bind; loopback by default for plain HTTP
 * @param port          TCP port; {@code 0} picks a free one
 * @param plainHttp     serve HTTP instead of HTTPS
 * @param dataDirectory where the database, keys, certificate and logs live
 * @param schemaVersion the schema version this server speaks
 */
public record ServerSettings(String host, int port, boolean plainHttp, Path dataDirectory, String schemaVersion) {

    public static final String HOST = "trestle.server.host";
    public static final String PORT = "trestle.server.port";
    public static final String HTTP = "trestle.server.http";
    public static final String DATA_DIR = "trestle.data.dir";
    public static final String SCHEMA_VERSION = "trestle.server.schema-version";

    public static final int DEFAULT_PORT = 8443;

    /**
     * Reads the settings.
     *
     * @param lookup returns a property's value, or {@code null} when it is not set
     * @throws IllegalArgumentException with a message naming the bad setting
     */
    public static ServerSettings from(UnaryOperator<String> lookup) {
        boolean http = parseBoolean(HTTP, lookup.apply(HTTP));
        String host = blankToNull(lookup.apply(HOST));
        if (host == null) {
            host = http ? "127.0.0.1" : "0.0.0.0";
        }
        int port = DEFAULT_PORT;
        String portText = blankToNull(lookup.apply(PORT));
        if (portText != null) {
            try {
                port = Integer.parseInt(portText.trim());
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("Invalid port '" + portText + "': give a number from 0 to 65535");
            }
        }
        String dir = blankToNull(lookup.apply(DATA_DIR));
        Path dataDirectory = dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".trestle", "server");
        String schema = blankToNull(lookup.apply(SCHEMA_VERSION));
        if (schema == null) {
            schema = SyncProtocol.SCHEMA_VERSION;
        }
        try {
            SyncProtocol.majorVersion(schema);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid schema version '" + schema + "': expected MAJOR.MINOR.PATCH");
        }
        return new ServerSettings(host, port, http, dataDirectory.toAbsolutePath().normalize(), schema);
    }

    private static boolean parseBoolean(String name, String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException("Invalid value '" + value + "' for " + name + ": use true or false");
        };
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
