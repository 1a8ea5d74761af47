package org.trestle.sync.server.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.eclipse.equinox.app.IApplication;
import org.eclipse.equinox.app.IApplicationContext;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The headless server's application: waits for the server component's outcome, then
 * runs until stopped. SIGTERM (a JVM shutdown) ends the application and waits for the
 * framework to stop, so that Jetty and the database close cleanly.
 */
public final class ServerApplication implements IApplication {

    private static final long START_TIMEOUT_SECONDS = 120;
    private static final long STOP_TIMEOUT_MILLIS = 30_000;

    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Object start(IApplicationContext context) throws Exception {
        BundleContext bundleContext = FrameworkUtil.getBundle(getClass()).getBundleContext();
        ServiceTracker<ServerStatus, ServerStatus> tracker = new ServiceTracker<>(bundleContext, ServerStatus.class, null);
        tracker.open();
        try {
            ServerStatus status = tracker.waitForService(TimeUnit.SECONDS.toMillis(START_TIMEOUT_SECONDS));
            if (status == null) {
                System.err.println("Trestle server did not start within " + START_TIMEOUT_SECONDS + " s");
                return Integer.valueOf(1);
            }
            if (status.failure().isPresent()) {
                System.err.println("Trestle server could not start: " + status.failure().get());
                return Integer.valueOf(1);
            }
            if (status.finished().isPresent()) {
                System.out.println(status.finished().get());
                return EXIT_OK;
            }
        } finally {
            tracker.close();
        }
        context.applicationRunning();
        Bundle system = bundleContext.getBundle(0);
        Thread hook = new Thread(() -> {
            stopped.countDown();
            // java.util.logging shuts down in its own hook, so this goes to stdout directly
            System.out.println(awaitFrameworkStop(system) ? "Trestle server stopped"
                    : "Trestle server did not stop within " + STOP_TIMEOUT_MILLIS / 1000 + " s");
            System.out.flush();
        }, "trestle-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
        return EXIT_OK;
    }

    @Override
    public void stop() {
        stopped.countDown();
    }

    private static boolean awaitFrameworkStop(Bundle system) {
        long deadline = System.currentTimeMillis() + STOP_TIMEOUT_MILLIS;
        while ((system.getState() & (Bundle.ACTIVE | Bundle.STOPPING | Bundle.STARTING)) != 0) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
