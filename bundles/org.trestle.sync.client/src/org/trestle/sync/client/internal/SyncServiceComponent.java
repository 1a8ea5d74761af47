package org.trestle.sync.client.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.preferences.InstanceScope;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.EventAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.ConflictRecord;
import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.ExchangeRecord;
import org.trestle.sync.api.LoadWriteListener;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncEngineFactory;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncOutcome;
import org.trestle.sync.api.SyncService;
import org.trestle.sync.api.SyncState;
import org.trestle.sync.api.SyncStatus;
import org.trestle.sync.api.SyncTopics;
import org.trestle.sync.api.SyncProtocol;
import org.trestle.sync.client.HttpTransport;
import org.trestle.sync.client.Registration;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The client's synchronization service over the node database in the data directory
 * ({@code trestle.data.dir}, default {@code ~/.trestle/client}). Background
 * synchronization runs as an Eclipse {@link Job} on the configured interval; when the
 * server cannot be reached it retries with capped exponential backoff and jitter.
 */
@Component(service = SyncService.class)
public final class SyncServiceComponent implements SyncService {

    private static final Logger LOG = LoggerFactory.getLogger(SyncServiceComponent.class);
    private static final String PREFS = "org.trestle.sync.client";

    @Reference
    private SyncEngineFactory engines;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile EventAdmin events;

    private SyncEngine engine;
    private TokenStore tokens;
    private SyncFiles files;
    private ClientLog log;
    private ClientSettings prefs;
    private ServerConnection server;
    private final Object syncLock = new Object();
    private PushWatch push;
    private volatile boolean background;
    private LocalUpkeep upkeep;
    private volatile SyncStatus status = SyncStatus.UNREGISTERED;
    private volatile Instant lastSuccess;
    private volatile String lastError;
    private BackgroundSync job;
    private final SyncEvents posts = new SyncEvents(() -> events, this::state);

    @Activate
    void activate(BundleContext context) throws IOException {
        String dir = context.getProperty("trestle.data.dir");
        Path dataDirectory = (dir == null || dir.isBlank() ? Path.of(System.getProperty("user.home"), ".trestle", "client")
                : Path.of(dir)).toAbsolutePath().normalize();
        log = ClientLog.install(dataDirectory);
        tokens = new TokenStore(dataDirectory.resolve(".runtime"));
        // the laptop's database is encrypted at rest; a plain one from before is encrypted now
        engine = engines.open(dataDirectory, EngineSettings.defaults(), tokens.databaseKey());
        if (engine.self() == null) {
            engine.syncManager().initializeLocal();
        }
        files = new SyncFiles(engine, tokens);
        upkeep = new LocalUpkeep(engine);
        prefs = new ClientSettings(InstanceScope.INSTANCE.getNode(PREFS));
        server = new ServerConnection(engine, tokens, prefs);
        lastSuccess = prefs.lastSuccess();
        lastError = prefs.lastError();
        if (registered()) {
            status = prefs.status(SyncStatus.ONLINE);
        }
        job = new BackgroundSync(monitor -> {
            try {
                sync(monitor);
            } catch (RuntimeException e) {
                lastError = e.toString();
                throw e;
            }
        }, this::interval, this::backgroundAllowed);
        push = new PushWatch(this::transport, this::backgroundAllowed, () -> job.soon(Duration.ZERO));
        // a local commit goes out shortly after, not at the next interval
        engine.syncManager().addQueueListener(committed);
        engine.syncManager().addBulkListener(bulkLoaded);
        background = !"false".equals(context.getProperty("trestle.sync.background"));
        if (background) {
            push.start();
            reschedule(Duration.ofSeconds(3));
        }
    }

    /** Local commits: sent within a short debounce while the node is kept in sync. */
    private final java.util.function.Consumer<List<org.trestle.sync.api.QueuedChange>> committed = rows -> {
        String self = engine.self() == null ? null : engine.self().nodeId();
        if (job != null && rows.stream().anyMatch(r -> r.origin().equals(self))) {
            job.afterLocalCommit(LOCAL_DEBOUNCE);
        }
    };

    /** Local commits in quick succession go out together: at most one synchronization per this time for them. */
    static final Duration LOCAL_DEBOUNCE = Duration.ofMillis(200);

    private boolean backgroundAllowed() {
        return background && isAutoSync() && registered() && status != SyncStatus.REREGISTER
                && status != SyncStatus.INCOMPATIBLE;
    }

    @Override
    public void startBackground() {
        background = true;
        push.start();
        reschedule(Duration.ZERO);
    }

    @Deactivate
    void deactivate() {
        if (push != null) {
            push.stop();
        }
        if (engine != null) {
            engine.syncManager().removeQueueListener(committed);
            engine.syncManager().removeBulkListener(bulkLoaded);
        }
        if (job != null) {
            job.cancel();
            try {
                job.join(10_000, null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (engine != null) {
            engine.close();
        }
        if (log != null) {
            log.close();
        }
    }

    @Override
    public SyncEngine engine() {
        return engine;
    }

    private boolean registered() {
        return server.registered();
    }

    @Override
    public SyncState state() {
        NodeInfo self = engine.self();
        String server = engine.syncManager().serverNodeId();
        long pending = server == null ? engine.syncManager().localChangeCount() : engine.syncManager().pendingCount(server);
        return new SyncState(status, prefs.serverUrl(), self == null ? null : self.code(),
                self == null ? null : self.nodeId(), pending, (int) engine.conflictResolver().openConflictCount(),
                lastSuccess, lastError, job == null ? null : job.nextAttempt(), engine.administration().waitingForPlugins());
    }

    @Override
    public List<ExchangeRecord> recentExchanges() {
        return upkeep.recentExchanges();
    }

    @Override
    public SyncStatus status() {
        return status;
    }

    @Override
    public String serverUrl() {
        return prefs.serverUrl();
    }

    @Override
    public String serverFingerprint() {
        return prefs.fingerprint();
    }

    @Override
    public NodeInfo register(String serverUrl, String code, String enrollmentKey, String fingerprint) throws SyncException {
        URI server = ServerConnection.serverUri(serverUrl);
        synchronized (syncLock) {
            Registration registration = new HttpTransport(server, fingerprint, ServerConnection.TIMEOUT, engine.packetManager())
                    .register(code, enrollmentKey, SyncProtocol.SCHEMA_VERSION);
            String nodeId = registration.nodeId();
            String token = registration.authToken();
            NodeInfo self = engine.syncManager().initializeClient(nodeId, code, registration.serverNodeId());
            try {
                tokens.setToken(token);
            } catch (IOException e) {
                throw new SyncException(null, e.getMessage(), e);
            }
            prefs.setServer(server.toString(), fingerprint);
            job.succeeded();
            lastError = null;
            setStatus(SyncStatus.ONLINE);
            LOG.info("Registered with " + server + " as " + code + " (" + nodeId + ")");
            reschedule(Duration.ofSeconds(1));
            return self;
        }
    }

    @Override
    public org.trestle.sync.api.NodeScope scope() throws SyncException {
        return server.scope();
    }

    @Override
    public void rotateToken() throws SyncException {
        synchronized (syncLock) {
            server.rotateToken();
        }
    }

    private HttpTransport transport() throws SyncException {
        return server.transport();
    }

    @Override
    public SyncOutcome syncNow() throws SyncException {
        return sync(null);
    }

    private SyncOutcome sync(IProgressMonitor monitor) throws SyncException {
        synchronized (syncLock) {
            HttpTransport transport = transport();
            SyncStatus before = status;
            setStatus(SyncStatus.SYNCING);
            posts.post(SyncTopics.STARTED, Map.of());
            ReceiveProgress progress = new ReceiveProgress(() -> pendingAtServer(transport));
            // a new computer's initial load is written into the tables once it is all here; the
            // state its progress events carry is read once: what it counts does not change meanwhile
            SyncState[] whileWriting = new SyncState[1];
            LoadWriteListener writing = (written, total) -> {
                if (monitor != null) {
                    monitor.subTask(ReceiveProgress.writingText(written, total));
                }
                if (whileWriting[0] == null) {
                    whileWriting[0] = posts.current();
                }
                posts.post(SyncTopics.PROGRESS, ReceiveProgress.writing(written, total), whileWriting[0]);
            };
            engine.syncManager().addLoadWriteListener(writing);
            SyncOutcome outcome;
            try {
                outcome = engine.syncManager().synchronize(transport, step -> {
                    upkeep.remember(step.record());
                    SyncState after = posts.current(); // one reading for both events of the exchange
                    posts.post(SyncTopics.EXCHANGED, Map.of(SyncTopics.PROPERTY_SENT, step.sent(),
                            SyncTopics.PROPERTY_RECEIVED, step.received()), after);
                    Map<String, Object> now = progress.after(step);
                    if (monitor != null) {
                        monitor.subTask(progress.text());
                    }
                    posts.post(SyncTopics.PROGRESS, now, after);
                    return monitor == null || !monitor.isCanceled();
                });
            } catch (SyncException e) {
                fail(e, before);
                throw e;
            } finally {
                engine.syncManager().removeLoadWriteListener(writing);
            }
            job.succeeded();
            lastSuccess = Instant.now();
            lastError = outcome.errors().isEmpty() ? null : outcome.errors().size()
                    + " changes were refused by the server: " + outcome.errors().get(0).message();
            setStatus(SyncStatus.ONLINE);
            posts.post(SyncTopics.COMPLETED, Map.of(SyncTopics.PROPERTY_PROCESSED, outcome.sent() + outcome.received(),
                    SyncTopics.PROPERTY_ERRORS, outcome.errors().size(), SyncTopics.PROPERTY_CONFLICTS,
                    outcome.conflicts().size()));
            if (!outcome.conflicts().isEmpty()) {
                posts.post(SyncTopics.CONFLICT, Map.of(SyncTopics.PROPERTY_CONFLICTS, outcome.conflicts().size(),
                        SyncTopics.PROPERTY_REPORTS, List.copyOf(outcome.conflicts())));
            }
            upkeep.pruneDaily();
            return outcome;
        }
    }

    /** @return what the server still holds for this node, or 0 when it does not say */
    private long pendingAtServer(HttpTransport transport) {
        try {
            return Math.max(0, transport.status(engine.self().nodeId()).path("pending_changes").asLong(0));
        } catch (SyncException | RuntimeException e) {
            return 0; // the progress is then shown without a total
        }
    }

    private void fail(SyncException e, SyncStatus before) {
        lastError = e.getMessage();
        job.failed();
        setStatus(e.status() != null ? e.status() : before == SyncStatus.SYNCING ? SyncStatus.ONLINE : before);
        posts.post(SyncTopics.FAILED, Map.of(SyncTopics.PROPERTY_REASON, e.getMessage()));
        LOG.warn("Synchronization failed: " + e.getMessage());
    }

    @Override
    public int exportPending(Path file) throws SyncException {
        return files.exportPending(file);
    }

    @Override
    public ProcessResult importFile(Path file) throws SyncException {
        ProcessResult result = files.importFile(file);
        posts.post(SyncTopics.COMPLETED, Map.of(SyncTopics.PROPERTY_PROCESSED, result.processed(), SyncTopics.PROPERTY_ERRORS,
                result.errors().size(), SyncTopics.PROPERTY_CONFLICTS, result.conflicts().size()));
        return result;
    }

    @Override
    public List<ConflictRecord> openConflicts() {
        return engine.conflictResolver().openConflicts();
    }

    @Override
    public void resolveConflict(String versionId, ObjectNode data) {
        engine.conflictResolver().resolve(versionId, data);
        posts.post(SyncTopics.STATUS, Map.of());
        reschedule(Duration.ofSeconds(1));
    }

    @Override
    public boolean isAutoSync() {
        return prefs.autoSync();
    }

    @Override
    public void setAutoSync(boolean on) {
        prefs.setAutoSync(on);
        reschedule(Duration.ofSeconds(1));
    }

    @Override
    public Duration interval() {
        return prefs.interval();
    }

    @Override
    public void setInterval(Duration interval) {
        prefs.setInterval(interval);
        reschedule(interval);
    }

    @Override
    public boolean isCompression() {
        return prefs.compression();
    }

    @Override
    public void setCompression(boolean on) {
        prefs.setCompression(on);
    }

    private void setStatus(SyncStatus next) {
        status = next;
        if (next != SyncStatus.SYNCING) {
            // remembered, so that the command line and the next start show the last known state
            prefs.remember(next, lastSuccess, lastError);
        }
        posts.post(SyncTopics.STATUS, Map.of());
    }

    /** Entities that arrived in bulk, told to every plugin listening on Event Admin. */
    private final java.util.function.Consumer<Map<String, Long>> bulkLoaded =
            counts -> posts.post(SyncTopics.BULK_LOADED, Map.of(SyncTopics.PROPERTY_COUNTS, counts));

    private void reschedule(Duration delay) {
        if (job != null) {
            job.reschedule(delay);
        }
    }
}
