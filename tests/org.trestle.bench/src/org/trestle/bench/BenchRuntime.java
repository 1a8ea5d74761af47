package org.trestle.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;
import org.trestle.sync.api.SyncEngineFactory;
import org.trestle.sync.server.internal.ServerStatus;

/** What a benchmark runtime offers: its server's address, the engine factory, a folder for client databases. */
record BenchRuntime(URI base, SyncEngineFactory factory, Path dir) {

    static BenchRuntime connect() throws Exception {
        BundleContext context = FrameworkUtil.getBundle(BenchRuntime.class).getBundleContext();
        ServiceTracker<ServerStatus, ServerStatus> status = new ServiceTracker<>(context, ServerStatus.class, null);
        status.open();
        ServerStatus s = status.waitForService(60_000);
        if (s == null) {
            throw new IllegalStateException("the server component registered no status");
        }
        URI base = s.uri().orElseThrow(() -> new IllegalStateException("the server did not start: " + s.failure()));
        ServiceTracker<SyncEngineFactory, SyncEngineFactory> engines = new ServiceTracker<>(context, SyncEngineFactory.class, null);
        engines.open();
        SyncEngineFactory factory = engines.waitForService(60_000);
        Path dir = Path.of(System.getProperty("trestle.bench.dir"));
        Files.createDirectories(dir);
        return new BenchRuntime(base, factory, dir);
    }

    /** @return a counter or gauge of the server's Prometheus metrics */
    static long metric(URI base, String name) throws Exception {
        HttpResponse<String> r = BenchClient.HTTP.send(HttpRequest.newBuilder(base.resolve("/api/admin/metrics"))
                .header("Authorization", "Bearer bench-admin").GET().build(), HttpResponse.BodyHandlers.ofString());
        for (String line : r.body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new IllegalStateException("no metric " + name);
    }
}
