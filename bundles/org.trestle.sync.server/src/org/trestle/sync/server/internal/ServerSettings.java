package org.trestle.sync.server.internal;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;

import org.trestle.sync.api.DatabaseServer;
import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.SyncProtocol;

/**
 * The server's settings. Each is looked up, first found wins, in: the command line
 * (framework properties {@code trestle.server.<name>} set by {@code bin/trestle-server}),
 * the environment ({@code TRESTLE_SERVER_<NAME>}, upper case, dashes as underscores),
 * the file {@code <data dir>/server.properties} (key {@code <name>}), then the default.
 * The data directory itself comes from {@code trestle.data.dir} or
 * {@code TRESTLE_DATA_DIR}.
 *
 * @param host              address to bind; loopback by default for plain HTTP
 * @param port              TCP port; {@code 0} picks a free one
 * @param plainHttp         serve HTTP instead of HTTPS (on loopback only, unless {@code insecure-http})
 * @param dataDirectory     where the database, keys, certificate and logs live
 * @param schemaVersion     the schema version this server speaks
 * @param enrollmentKey     the key registration needs ({@code enrollment-key}, or read from the file
 *                          {@code enrollment-key-file}), or {@code null} to use the stored or a generated one
 * @param openEnrollment    whether registration needs no key at all
 * @param adminToken        the administrator's token ({@code admin-token}, or read from the file
 *                          {@code admin-token-file}), or {@code null} to use the stored or a generated one
 * @param updatesDirectory  the p2 repository served at {@code /updates/}, or {@code null}
 * @param batchSize         the most changes per packet the server sends
 * @param maxBodyBytes      the largest request body accepted, as sent
 * @param maxInflatedBytes  the largest packet accepted once inflated
 * @param maxChanges        the most changes accepted in one incoming packet
 * @param packetTimeoutSeconds how long a connection may stay idle while a packet is sent or received
 * @param maxRetries        how often a packet is applied again after a transient database failure
 * @param maxConnections    the most connections open at once; more wait to be accepted
 * @param maxRequestsPerSecond requests per second from one address before 429 ({@code 0}: no limit)
 * @param minDataRate       bytes per second a request body must arrive at, or it is cut off
 * @param changeRetention   how long the sync log keeps changes and packet records at least
 *                          ({@code change-retention-days}); what a node still needs stays longer
 * @param errorRetention    how long changes kept aside for an administrator are kept ({@code error-retention-days})
 * @param database          the PostgreSQL database ({@code db-url}, {@code db-user}, and the password from
 *                          {@code db-password}, or from the file {@code db-password-file}), or {@code null}
 *                          for the embedded Derby database in the data directory
 * @param migrateTo         the empty PostgreSQL database to copy the embedded database into, instead of serving
 *                          ({@code migrate-to}, {@code migrate-to-user}, {@code migrate-to-password-file}), or {@code null}
 */
public record ServerSettings(String host, int port, boolean plainHttp, Path dataDirectory, String schemaVersion,
        String enrollmentKey, boolean openEnrollment, String adminToken, Path updatesDirectory, int batchSize,
        long maxBodyBytes, long maxInflatedBytes, int maxChanges, int packetTimeoutSeconds, int maxRetries,
        int maxConnections, int maxRequestsPerSecond, long minDataRate, java.time.Duration changeRetention,
        java.time.Duration errorRetention, DatabaseServer database, DatabaseServer migrateTo) {

    public static final String PREFIX = "trestle.server.";
    public static final String DATA_DIR = "trestle.data.dir";
    public static final String FILE = "server.properties";

    public static final String HOST = PREFIX + "host";
    public static final String PORT = PREFIX + "port";
    public static final String HTTP = PREFIX + "http";
    public static final String SCHEMA_VERSION = PREFIX + "schema-version";

    public static final int DEFAULT_PORT = 8443;

    /** Reads the settings from framework properties and the process environment. */
    public static ServerSettings from(UnaryOperator<String> properties) {
        return from(properties, System.getenv());
    }

    /**
     * @throws IllegalArgumentException with a message naming the bad setting and where it came from
     */
    public static ServerSettings from(UnaryOperator<String> properties, Map<String, String> environment) {
        String dir = firstNonBlank(properties.apply(DATA_DIR), environment.get("TRESTLE_DATA_DIR"));
        Path dataDirectory = (dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".trestle", "server"))
                .toAbsolutePath().normalize();
        Properties file = new Properties();
        Path fileName = dataDirectory.resolve(FILE);
        if (Files.isRegularFile(fileName)) {
            try (Reader in = Files.newBufferedReader(fileName, StandardCharsets.UTF_8)) {
                file.load(in);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("Cannot read " + fileName + ": " + e.getMessage());
            }
        }
        Lookup l = new Lookup(properties, environment, file, fileName);
        boolean http = l.bool("http", false);
        String host = l.text("host", http ? "127.0.0.1" : "0.0.0.0");
        if (http && !isLoopback(host) && !l.bool("insecure-http", false)) {
            throw new IllegalArgumentException("Plain HTTP on " + host + " (" + l.source("host") + ") would carry tokens"
                    + " unencrypted over the network: serve HTTPS (leave out --http), listen on 127.0.0.1 behind a TLS"
                    + " proxy, or accept the risk with --insecure-http");
        }
        int port = (int) l.number("port", DEFAULT_PORT, 0, 65535);
        String schema = l.text("schema-version", SyncProtocol.SCHEMA_VERSION);
        try {
            SyncProtocol.majorVersion(schema);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid schema-version '" + schema + "' (" + l.source("schema-version")
                    + "): expected MAJOR.MINOR.PATCH");
        }
        String updates = l.text("updates-dir", null);
        return new ServerSettings(host, port, http, dataDirectory, schema, l.secret("enrollment-key"),
                l.bool("open-enrollment", false), l.secret("admin-token"),
                updates == null ? null : Path.of(updates).toAbsolutePath().normalize(),
                (int) l.number("batch-size", EngineSettings.DEFAULT_BATCH_SIZE, 1, 100_000),
                l.size("max-body-bytes", 16L << 20), l.size("max-inflated-bytes", 256L << 20),
                (int) l.number("max-changes", 10_000, 1, 1_000_000), (int) l.number("packet-timeout", 30, 1, 86_400),
                (int) l.number("max-retries", 3, 0, 100), (int) l.number("max-connections", 10_000, 1, 1_000_000),
                (int) l.number("max-requests-per-second", 1_000, 0, 1_000_000), l.number("min-data-rate", 1024, 0, 1L << 30),
                java.time.Duration.ofDays(l.number("change-retention-days", 30, 0, 36_500)),
                java.time.Duration.ofDays(l.number("error-retention-days", 90, 0, 36_500)), database(l, "db"),
                database(l, "migrate-to"));
    }

    /** @return the database server the settings name, or {@code null} for the embedded database */
    private static DatabaseServer database(Lookup l, String prefix) {
        String urlName = "db".equals(prefix) ? "db-url" : prefix; // db-url, or migrate-to
        String url = l.text(urlName, null);
        if (url == null) {
            if (l.raw(prefix + "-user") != null || l.raw(prefix + "-password-file") != null) {
                throw new IllegalArgumentException(prefix + "-user and " + prefix + "-password-file need " + urlName
                        + " (" + l.source(prefix + "-user") + ")");
            }
            return null;
        }
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("Invalid " + urlName + " '" + url.replaceAll("password=[^&]*", "password=…") + "' ("
                    + l.source(urlName) + "): expected jdbc:postgresql://HOST:PORT/DATABASE (embedded Derby needs no URL)");
        }
        if (url.contains("password=")) {
            throw new IllegalArgumentException(urlName + " (" + l.source(urlName) + ") must not hold the password, which"
                    + " processes and logs could show: put it in a file and give " + prefix + "-password-file");
        }
        return new DatabaseServer(url, l.text(prefix + "-user", null), l.secret(prefix + "-password"));
    }

    /** @return the engine settings these server settings imply */
    public EngineSettings engineSettings() {
        return new EngineSettings(batchSize, org.trestle.sync.api.ConflictStrategy.SERVER_WINS, schemaVersion);
    }

    /** @return whether an address to listen on reaches this computer only */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }

    /** One setting looked up in the layers, with where it was found for error messages. */
    private record Lookup(UnaryOperator<String> properties, Map<String, String> environment, Properties file, Path fileName) {

        static String envName(String name) {
            return "TRESTLE_SERVER_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
        }

        String raw(String name) {
            return firstNonBlank(properties.apply(PREFIX + name), environment.get(envName(name)), file.getProperty(name));
        }

        String source(String name) {
            if (firstNonBlank(properties.apply(PREFIX + name)) != null) {
                return "command line";
            }
            if (firstNonBlank(environment.get(envName(name))) != null) {
                return "environment " + envName(name);
            }
            return fileName.toString();
        }

        /**
         * A secret: the setting itself (from the environment or the file, where {@code ps}
         * does not show it), else the first line of the file named by {@code <name>-file}.
         */
        String secret(String name) {
            String v = raw(name);
            if (v != null) {
                return v;
            }
            String file = raw(name + "-file");
            if (file == null) {
                return null;
            }
            try {
                String read = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
                if (read.isEmpty() || read.contains("\n")) {
                    throw new IllegalArgumentException("The " + name + " file " + file + " (" + source(name + "-file")
                            + ") must hold the secret on one line");
                }
                return read;
            } catch (IOException e) {
                throw new IllegalArgumentException("Cannot read the " + name + " file " + file + " ("
                        + source(name + "-file") + "): " + e.getMessage());
            }
        }

        String text(String name, String fallback) {
            String v = raw(name);
            return v == null ? fallback : v;
        }

        boolean bool(String name, boolean fallback) {
            String v = raw(name);
            if (v == null) {
                return fallback;
            }
            return switch (v.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "1", "on" -> true;
                case "false", "no", "0", "off" -> false;
                default -> throw new IllegalArgumentException("Invalid value '" + v + "' for " + name + " ("
                        + source(name) + "): use true or false");
            };
        }

        long number(String name, long fallback, long min, long max) {
            String v = raw(name);
            if (v == null) {
                return fallback;
            }
            try {
                long n = Long.parseLong(v);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("Invalid " + name + " '" + v + "' (" + source(name) + "): give a number from "
                    + min + " to " + max);
        }

        /** A byte size: a number with an optional K, M or G (powers of 1024). */
        long size(String name, long fallback) {
            String v = raw(name);
            if (v == null) {
                return fallback;
            }
            String t = v.toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
            long unit = 1;
            if (t.endsWith("K") || t.endsWith("M") || t.endsWith("G")) {
                unit = switch (t.charAt(t.length() - 1)) {
                    case 'K' -> 1L << 10;
                    case 'M' -> 1L << 20;
                    default -> 1L << 30;
                };
                t = t.substring(0, t.length() - 1);
            }
            try {
                long n = Long.parseLong(t.trim());
                if (n > 0 && n <= (1L << 40) / unit) {
                    return n * unit;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("Invalid " + name + " '" + v + "' (" + source(name)
                    + "): give a size such as 16M or 1048576");
        }
    }
}
