package org.trestle.sync.client.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.preferences.IEclipsePreferences;
import org.eclipse.core.runtime.preferences.InstanceScope;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.prefs.BackingStoreException;
import org.trestle.sync.api.ChangeError;
import org.trestle.sync.api.ConflictRecord;
import org.trestle.sync.api.ConflictReport;
import org.trestle.sync.api.EngineSettings;
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
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.packet.PacketException;
import org.trestle.sync.core.internal.NodeEngine;
import org.trestle.sync.core.internal.PacketCodec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The client's synchronization service over the node database in the data directory
 * ({@code trestle.data.dir}, default {@code ~/.trestle/client}). Background
 * synchronization runs as an Eclipse {@link Job} on the configured interval; when the
 * server cannot be reached it retries with capped exponential backoff and jitter.
 */
@Component(service = SyncService.class)
public final class SyncServiceComponent implements SyncService {

    private static final ILog LOG = ILog.of(SyncServiceComponent.class);
    private static final String PREFS = "org.trestle.sync.client";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long MAX_FILE_BYTES = 256L << 20;

    @Reference
    private SyncEngineFactory engines;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile EventAdmin events;

    private NodeEngine engine;
    private TokenStore tokens;
    private IEclipsePreferences prefs;
    private final Object syncLock = new Object();
    private final Random random = new Random();
    private volatile SyncStatus status = SyncStatus.UNREGISTERED;
    private volatile Instant lastSuccess;
    private volatile String lastError;
    private volatile Instant nextAttempt;
    private int failures;
    private SyncJob job;

    @Activate
    void activate(BundleContext context) throws IOException {
        String dir = context.getProperty("trestle.data.dir");
        Path dataDirectory = (dir == null || dir.isBlank() ? Path.of(System.getProperty("user.home"), ".trestle", "client")
                : Path.of(dir)).toAbsolutePath().normalize();
        engine = (NodeEngine) engines.open(dataDirectory, EngineSettings.defaults());
        if (engine.self() == null) {
            engine.initializeLocal();
        }
        tokens = new TokenStore(dataDirectory.resolve(".runtime"));
        prefs = InstanceScope.INSTANCE.getNode(PREFS);
        String last = prefs.get("lastSuccess", null);
        lastSuccess = last == null ? null : Instant.parse(last);
        lastError = prefs.get("lastError", null);
        if (registered()) {
            status = SyncStatus.valueOf(prefs.get("status", SyncStatus.ONLINE.name()));
        }
        job = new SyncJob();
        reschedule(Duration.ofSeconds(3));
    }

    @Deactivate
    void deactivate() {
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
    }

    @Override
    public SyncEngine engine() {
        return engine;
    }

    /** @return the engine with its internal operations, for the command line and the workbench */
    public NodeEngine nodeEngine() {
        return engine;
    }

    private boolean registered() {
        return engine.self() != null && engine.serverId() != null && tokens.token() != null;
    }

    @Override
    public SyncState state() {
        NodeInfo self = engine.self();
        long pending = engine.serverId() == null ? engine.localChangeCount() : engine.pendingCount(engine.serverId());
        return new SyncState(status, prefs.get("serverUrl", null), self == null ? null : self.code(),
                self == null ? null : self.nodeId(), pending, (int) engine.openConflictCount(), lastSuccess, lastError,
                nextAttempt);
    }

    private final java.util.Deque<org.trestle.sync.api.ExchangeRecord> recent = new java.util.ArrayDeque<>();

    private void remember(org.trestle.sync.api.ExchangeRecord r) {
        synchronized (recent) {
            recent.addFirst(r);
            while (recent.size() > 10) {
                recent.removeLast();
            }
        }
    }

    @Override
    public List<org.trestle.sync.api.ExchangeRecord> recentExchanges() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    @Override
    public String serverFingerprint() {
        return prefs.get("fingerprint", null);
    }

    @Override
    public NodeInfo register(String serverUrl, String code, String enrollmentKey, String fingerprint) throws SyncException {
        URI server = serverUri(serverUrl);
        synchronized (syncLock) {
            HttpTransport transport = new HttpTransport(server, fingerprint, TIMEOUT, (PacketCodec) engine.packetManager());
            JsonNode answer = transport.register(code, enrollmentKey, org.trestle.sync.api.SyncProtocol.SCHEMA_VERSION);
            String nodeId = answer.path("node_id").asText();
            String serverNodeId = answer.path("server_node_id").asText();
            String token = answer.path("auth_token").asText();
            if (nodeId.isEmpty() || serverNodeId.isEmpty() || token.isEmpty()) {
                throw new SyncException(null, "The server's registration answer is incomplete", null);
            }
            NodeInfo self = engine.initializeClient(nodeId, code, serverNodeId);
            try {
                tokens.setToken(token);
            } catch (IOException e) {
                throw new SyncException(null, e.getMessage(), e);
            }
            prefs.put("serverUrl", server.toString());
            if (fingerprint == null || fingerprint.isBlank()) {
                prefs.remove("fingerprint");
            } else {
                prefs.put("fingerprint", fingerprint.trim());
            }
            flush();
            failures = 0;
            lastError = null;
            setStatus(SyncStatus.ONLINE);
            LOG.info("Registered with " + server + " as " + code + " (" + nodeId + ")");
            reschedule(Duration.ofSeconds(1));
            return self;
        }
    }

    private static URI serverUri(String serverUrl) throws SyncException {
        try {
            URI uri = new URI(serverUrl == null ? "" : serverUrl.trim());
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new URISyntaxException(String.valueOf(serverUrl), "use http:// or https:// and a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new SyncException(null, "Invalid server URL '" + serverUrl + "': " + e.getReason(), e);
        }
    }

    private HttpTransport transport() throws SyncException {
        if (!registered()) {
            throw new SyncException(SyncStatus.UNREGISTERED, "This node is not registered with a server yet", null);
        }
        return new HttpTransport(serverUri(prefs.get("serverUrl", null)), prefs.get("fingerprint", null), TIMEOUT,
                (PacketCodec) engine.packetManager());
    }

    @Override
    public SyncOutcome syncNow() throws SyncException {
        return sync(null);
    }

    private SyncOutcome sync(IProgressMonitor monitor) throws SyncException {
        synchronized (syncLock) {
            HttpTransport transport = transport();
            String token = tokens.token();
            SyncStatus before = status;
            setStatus(SyncStatus.SYNCING);
            post(SyncTopics.STARTED, Map.of());
            int exchanges = 0;
            int sent = 0;
            int received = 0;
            List<ChangeError> errors = new ArrayList<>();
            List<ConflictReport> conflicts = new ArrayList<>();
            try {
                boolean more;
                boolean receivedSome;
                do {
                    if (monitor != null && monitor.isCanceled()) {
                        break;
                    }
                    Packet up = engine.buildPacket(engine.serverId());
                    HttpTransport.Answer answer = transport.exchange(up, token, isCompression());
                    exchanges++;
                    remember(new org.trestle.sync.api.ExchangeRecord(java.time.Instant.now(), up.packetNo(),
                            up.changes().size(), answer.bytesSent(), answer.packet().packetNo(),
                            answer.packet().changes().size(), answer.bytesReceived()));
                    engine.recordConflicts(answer.conflicts());
                    ProcessResult applied = engine.processPacket(answer.packet());
                    sent += answer.processed();
                    received += applied.processed();
                    errors.addAll(answer.errors());
                    conflicts.addAll(answer.conflicts());
                    more = up.hasMore() || answer.packet().hasMore();
                    // what the server sent is acknowledged by the next packet, so a packet with changes
                    // is followed by one more exchange
                    receivedSome = !answer.packet().changes().isEmpty();
                    if (monitor != null) {
                        monitor.subTask("Received " + received + " changes");
                    }
                    post(SyncTopics.PROGRESS, Map.of(SyncTopics.PROPERTY_RECEIVED, received, "more", more));
                } while ((more || receivedSome) && exchanges < 10_000);
            } catch (SyncException e) {
                fail(e, before);
                throw e;
            } catch (PacketException e) {
                SyncException se = new SyncException(SyncStatus.OFFLINE, "The server sent a packet this node refuses: "
                        + e.getMessage(), e);
                fail(se, before);
                throw se;
            }
            failures = 0;
            lastSuccess = Instant.now();
            lastError = errors.isEmpty() ? null : errors.size() + " changes were refused by the server: "
                    + errors.get(0).message();
            setStatus(SyncStatus.ONLINE);
            post(SyncTopics.COMPLETED, Map.of(SyncTopics.PROPERTY_PROCESSED, sent + received, SyncTopics.PROPERTY_ERRORS,
                    errors.size(), SyncTopics.PROPERTY_CONFLICTS, conflicts.size()));
            if (!conflicts.isEmpty()) {
                post(SyncTopics.CONFLICT, Map.of(SyncTopics.PROPERTY_CONFLICTS, conflicts.size()));
            }
            return new SyncOutcome(exchanges, sent, received, errors, conflicts);
        }
    }

    private void fail(SyncException e, SyncStatus before) {
        lastError = e.getMessage();
        failures++;
        setStatus(e.status() != null ? e.status() : before == SyncStatus.SYNCING ? SyncStatus.ONLINE : before);
        post(SyncTopics.FAILED, Map.of(SyncTopics.PROPERTY_REASON, e.getMessage()));
        LOG.warn("Synchronization failed: " + e.getMessage());
    }

    @Override
    public int exportPending(Path file) throws SyncException {
        if (engine.serverId() == null) {
            throw new SyncException(SyncStatus.UNREGISTERED, "Register first: an export is addressed to the server", null);
        }
        String token = tokens.token();
        if (token == null) {
            throw new SyncException(SyncStatus.REREGISTER, "Register again: without its token this node cannot sign a file",
                    null);
        }
        Packet packet = engine.buildPacket(engine.serverId());
        try {
            PacketCodec codec = (PacketCodec) engine.packetManager();
            Files.write(file, org.trestle.sync.core.internal.SignedFiles.write(codec.toJson(packet),
                    org.trestle.sync.core.internal.SignedFiles.keyOf(token)));
        } catch (IOException e) {
            throw new SyncException(null, "Cannot write " + file + ": " + e.getMessage(), e);
        }
        return packet.changes().size();
    }

    @Override
    public ProcessResult importFile(Path file) throws SyncException {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new SyncException(null, file + " is larger than " + MAX_FILE_BYTES + " bytes", null);
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SyncException(null, "Cannot read " + file + ": " + e.getMessage(), e);
        }
        String token = tokens.token();
        if (token == null) {
            throw new SyncException(SyncStatus.REREGISTER, "Register again: without its token this node cannot check a file",
                    null);
        }
        try {
            String signature = org.trestle.sync.core.internal.SignedFiles.signature(bytes);
            byte[] json = PacketCodec.inflate(bytes, MAX_FILE_BYTES);
            if (signature == null) {
                throw new SyncException(null, file + " is not signed: only files the server wrote for this computer are"
                        + " imported. Nothing was imported.", null);
            }
            if (!org.trestle.sync.core.internal.SignedFiles.verify(json, signature,
                    org.trestle.sync.core.internal.SignedFiles.keyOf(token))) {
                throw new SyncException(null, file + " does not match its signature: it was changed after the server"
                        + " wrote it, or it was written for another computer. Nothing was imported.", null);
            }
            Packet packet = ((PacketCodec) engine.packetManager()).fromJson(json);
            if (!packet.sender().equals(engine.serverId())) {
                throw new SyncException(null, file + " was not made by this node's server", null);
            }
            ProcessResult result = engine.processPacket(packet);
            post(SyncTopics.COMPLETED, Map.of(SyncTopics.PROPERTY_PROCESSED, result.processed(), SyncTopics.PROPERTY_ERRORS,
                    result.errors().size(), SyncTopics.PROPERTY_CONFLICTS, result.conflicts().size()));
            return result;
        } catch (PacketException e) {
            throw new SyncException(null, file + " is not a valid sync file: " + e.getMessage(), e);
        }
    }

    @Override
    public List<ConflictRecord> openConflicts() {
        return engine.openConflicts();
    }

    @Override
    public void resolveConflict(String versionId, ObjectNode data) {
        engine.resolve(versionId, data);
        post(SyncTopics.STATUS, Map.of());
        reschedule(Duration.ofSeconds(1));
    }

    @Override
    public boolean isAutoSync() {
        return prefs.getBoolean("autoSync", true);
    }

    @Override
    public void setAutoSync(boolean on) {
        prefs.putBoolean("autoSync", on);
        flush();
        reschedule(Duration.ofSeconds(1));
    }

    @Override
    public Duration interval() {
        return Duration.ofSeconds(prefs.getLong("intervalSeconds", 300));
    }

    @Override
    public void setInterval(Duration interval) {
        if (interval.toSeconds() < 10 || interval.toDays() > 7) {
            throw new IllegalArgumentException("the interval must be between 10 seconds and 7 days");
        }
        prefs.putLong("intervalSeconds", interval.toSeconds());
        flush();
        reschedule(interval);
    }

    @Override
    public boolean isCompression() {
        return prefs.getBoolean("compression", true);
    }

    @Override
    public void setCompression(boolean on) {
        prefs.putBoolean("compression", on);
        flush();
    }

    private void flush() {
        try {
            prefs.flush();
        } catch (BackingStoreException e) {
            LOG.error("The sync settings could not be saved", e);
        }
    }

    private void setStatus(SyncStatus next) {
        status = next;
        if (next != SyncStatus.SYNCING) {
            // remembered, so that the command line and the next start show the last known state
            prefs.put("status", next.name());
            if (lastSuccess != null) {
                prefs.put("lastSuccess", lastSuccess.toString());
            }
            if (lastError == null) {
                prefs.remove("lastError");
            } else {
                prefs.put("lastError", lastError);
            }
            flush();
        }
        post(SyncTopics.STATUS, Map.of());
    }

    private void post(String topic, Map<String, Object> properties) {
        EventAdmin admin = events;
        if (admin == null) {
            return;
        }
        Map<String, Object> all = new HashMap<>(properties);
        try {
            all.put(SyncTopics.PROPERTY_STATE, state());
        } catch (RuntimeException e) {
            // the database is closing: the event goes without a state
        }
        admin.postEvent(new Event(topic, all));
    }

    private void reschedule(Duration delay) {
        if (job == null) {
            return;
        }
        job.cancel();
        if (isAutoSync() && registered() && status != SyncStatus.REREGISTER && status != SyncStatus.INCOMPATIBLE) {
            nextAttempt = Instant.now().plus(delay);
            job.schedule(delay.toMillis());
        } else {
            nextAttempt = null;
        }
    }

    /** The background synchronization, with progress, that reschedules itself. */
    private final class SyncJob extends Job {
        SyncJob() {
            super("Synchronizing with the Trestle server");
            setSystem(false);
            setUser(false);
        }

        @Override
        protected IStatus run(IProgressMonitor monitor) {
            monitor.beginTask("Synchronizing", IProgressMonitor.UNKNOWN);
            Duration next = interval();
            try {
                sync(monitor);
            } catch (SyncException e) {
                if (e.status() == SyncStatus.OFFLINE) {
                    next = Backoff.delay(failures, interval(), random);
                } else if (e.status() == SyncStatus.REREGISTER || e.status() == SyncStatus.INCOMPATIBLE) {
                    nextAttempt = null;
                    return Status.OK_STATUS; // a person must act; no retry loop
                }
            } catch (RuntimeException e) {
                LOG.error("Background synchronization failed", e);
                lastError = e.toString();
                next = Backoff.delay(++failures, interval(), random);
            } finally {
                monitor.done();
            }
            if (!monitor.isCanceled() && isAutoSync()) {
                nextAttempt = Instant.now().plus(next);
                schedule(next.toMillis());
            }
            return Status.OK_STATUS;
        }
    }
}
