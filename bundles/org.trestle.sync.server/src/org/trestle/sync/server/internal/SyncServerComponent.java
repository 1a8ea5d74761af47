package org.trestle.sync.server.internal;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.DoSHandler;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.Version;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncEngineFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs the Jetty server while this component is active. The outcome of starting it is
 * registered as a {@link ServerStatus} service either way.
 */
@Component(immediate = true, service = {})
public final class SyncServerComponent {

    /** The line scripts and administrators wait for, followed by the URL. */
    public static final String READY_LINE = "Trestle server listening on ";

    private static final Logger LOG = LoggerFactory.getLogger(SyncServerComponent.class);

    @Reference
    private SyncEngineFactory engines;
    /** The name of the admin token configured for the server or generated into {@code admin.token}. */
    static final String INITIAL_ADMIN_TOKEN = "initial";

    private Server jetty;
    private SyncEngine engine;
    private java.util.concurrent.ScheduledExecutorService pruner;
    private ServerLog log;
    private ServiceRegistration<ServerStatus> registration;

    @Activate
    void activate(BundleContext context) {
        ServerStatus status;
        try {
            ServerSettings settings = ServerSettings.from(context::getProperty);
            prepareDataDirectory(settings.dataDirectory());
            log = ServerLog.install(settings.dataDirectory());
            status = settings.migrateTo() != null ? migrate(settings)
                    : start(settings, serverVersion(context.getBundle().getVersion()));
        } catch (IllegalArgumentException e) {
            status = fail(e.getMessage(), null);
        } catch (Exception e) {
            status = fail(describeStartFailure(e), e);
        }
        registration = context.registerService(ServerStatus.class, status, null);
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
        }
        if (pruner != null) {
            pruner.shutdownNow();
        }
        if (jetty != null) {
            try {
                jetty.stop();
                LOG.info("Trestle server stopped");
            } catch (Exception e) {
                LOG.warn("Jetty did not stop cleanly", e);
            }
        }
        if (engine != null) {
            engine.close();
        }
        if (log != null) {
            log.close();
        }
    }

    /**
     * {@code trestle-server migrate}: copies the embedded database of the data directory
     * into the empty PostgreSQL database named by {@code migrate-to}, counts both sides,
     * and ends. The data directory keeps its keys and tokens, so the nodes carry on.
     */
    private ServerStatus migrate(ServerSettings settings) {
        if (settings.database() != null) {
            throw new IllegalArgumentException("migrate copies the embedded database of the data directory: leave out db-url");
        }
        long started = System.nanoTime();
        java.util.Map<String, Long> copied = engines.copy(settings.dataDirectory(), settings.engineSettings(),
                settings.migrateTo());
        long rows = copied.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder report = new StringBuilder("Copied " + rows + " rows of " + copied.size() + " tables from "
                + settings.dataDirectory() + " to " + settings.migrateTo().url() + " in "
                + (System.nanoTime() - started) / 1_000_000 + " ms; counted equal on both sides:");
        copied.forEach((table, n) -> report.append("\n  ").append(table).append(": ").append(n));
        report.append("\nStart the server with --db-url ").append(settings.migrateTo().url())
                .append(" (and the same data directory); the nodes carry on without registering again.");
        LOG.info("Copied " + rows + " rows of " + copied.size() + " tables to " + settings.migrateTo().url());
        return ServerStatus.finished(report.toString());
    }

    private ServerStatus start(ServerSettings settings, String serverVersion) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Secrets.Stored enrollment = Secrets.loadOrCreate(settings.enrollmentKey(),
                settings.dataDirectory().resolve("enrollment.key"));
        Secrets.Stored admin = Secrets.loadOrCreate(settings.adminToken(), settings.dataDirectory().resolve("admin.token"));
        // the key that seals nodes' file keys lives beside the database, never in it
        FileKeys fileKeys = new FileKeys(Secrets.loadOrCreate(null, settings.dataDirectory().resolve("file-key.secret"))
                .value());
        engine = settings.database() == null ? engines.open(settings.dataDirectory(), settings.engineSettings())
                : engines.open(settings.dataDirectory(), settings.engineSettings(), settings.database());
        engine.syncManager().initializeServer("server");
        // a bounded queue: under a flood, connections are refused rather than queued without end
        QueuedThreadPool threads = new QueuedThreadPool(200, 8, 60_000, new BlockingArrayQueue<>(64, 64, 1024));
        threads.setName("trestle-http");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        // a body trickled in to hold a thread is cut off
        http.setMinRequestDataRate(settings.minDataRate());
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);

        String fingerprint = null;
        ServerConnector connector;
        if (settings.plainHttp()) {
            connector = new ServerConnector(server, new HttpConnectionFactory(http));
        } else {
            TlsKeyStore keys = TlsKeyStore.ensure(settings.dataDirectory(), InetAddress.getLocalHost().getHostName());
            fingerprint = keys.fingerprint();
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStorePath(keys.path().toString());
            tls.setKeyStorePassword(keys.password());
            tls.setKeyStoreType("PKCS12");
            tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false);
            http.addCustomizer(secure);
            connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"),
                    new HttpConnectionFactory(http));
        }
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        server.addConnector(connector);
        server.setErrorHandler(new JsonErrorHandler(json));
        // the configured (or generated) token is the admin token named "initial"; the database holds its hash
        engine.administration().ensureAdminToken(INITIAL_ADMIN_TOKEN, Secrets.hash(admin.value()));
        ApiHandler api = new ApiHandler(json, engine, settings, serverVersion, enrollment.value(), fileKeys);
        if (settings.maxRequestsPerSecond() > 0) {
            // requests per address beyond the rate answer 429, before any work is done for them
            server.setHandler(new DoSHandler(api, DoSHandler.ID_FROM_REMOTE_ADDRESS,
                    new DoSHandler.LeakingBucketTrackerFactory(settings.maxRequestsPerSecond()),
                    new DoSHandler.StatusRejectHandler(429), 10_000));
        } else {
            server.setHandler(api);
        }
        server.addBean(new NetworkConnectionLimit(settings.maxConnections(), server));
        connector.setIdleTimeout(settings.packetTimeoutSeconds() * 1000L);
        server.setStopAtShutdown(false);
        server.setStopTimeout(5_000);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            engine.close();
            engine = null;
            throw e;
        }
        jetty = server;
        schedulePruning(settings);

        String shownHost = "0.0.0.0".equals(settings.host()) ? InetAddress.getLocalHost().getHostName() : settings.host();
        if (shownHost.contains(":")) {
            shownHost = "[" + shownHost + "]";
        }
        URI uri = URI.create((settings.plainHttp() ? "http" : "https") + "://" + shownHost + ":" + connector.getLocalPort());
        LOG.info("Data directory: " + settings.dataDirectory());
        if (settings.openEnrollment()) {
            LOG.warn("Open enrollment is on: anyone who reaches this server can register a node");
        } else if (settings.enrollmentKey() == null) {
            LOG.info("Enrollment key" + (enrollment.generated() ? " generated" : "") + " in "
                    + settings.dataDirectory().resolve("enrollment.key"));
        }
        if (settings.adminToken() == null) {
            LOG.info("Admin token" + (admin.generated() ? " generated" : "") + " in "
                    + settings.dataDirectory().resolve("admin.token"));
        }
        if (settings.updatesDirectory() != null) {
            LOG.info("Serving the update site " + settings.updatesDirectory() + " at /updates/");
        }
        if (fingerprint != null) {
            LOG.info("TLS certificate SHA-256 fingerprint: " + fingerprint);
        } else {
            LOG.warn("Serving plain HTTP: use it on loopback or behind a TLS proxy only");
        }
        System.out.println(READY_LINE + uri);
        System.out.flush();
        LOG.info(READY_LINE + uri);
        return ServerStatus.started(uri, fingerprint);
    }

    /** Prunes the sync log a minute after start and every hour, so that years of use keep it bounded. */
    private void schedulePruning(ServerSettings settings) {
        pruner = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trestle-prune");
            t.setDaemon(true);
            return t;
        });
        SyncEngine pruned = engine;
        pruner.scheduleWithFixedDelay(() -> {
            try {
                pruned.administration().prune(settings.changeRetention(), settings.errorRetention());
            } catch (RuntimeException e) {
                LOG.warn("Pruning the sync log failed; it is tried again in an hour", e);
            }
        }, 1, 60, java.util.concurrent.TimeUnit.MINUTES);
    }

    private static void prepareDataDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("The data directory " + dir + " cannot be created: " + e.getMessage());
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException("The data directory " + dir + " is not writable");
        }
    }

    private static String describeStartFailure(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return e.getMessage() + ": " + t.getMessage()
                        + " (is another server using the port? choose another with --port)";
            }
        }
        // the one line printed reads "Trestle server could not start: " and this
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static ServerStatus fail(String reason, Exception e) {
        boolean expected = e == null || e instanceof java.io.IOException;
        LOG.error(reason, expected ? null : e);
        return ServerStatus.failed(reason);
    }

    static String serverVersion(Version version) {
        return version.getMajor() + "." + version.getMinor() + "." + version.getMicro();
    }
}
