package org.trestle.sync.server.tests;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;

import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;
import org.trestle.sync.server.internal.ServerStatus;

/** The server that Declarative Services started in this test runtime. */
final class RunningServer {

    private RunningServer() {
    }

    static URI uri() throws InterruptedException {
        var context = FrameworkUtil.getBundle(RunningServer.class).getBundleContext();
        ServiceTracker<ServerStatus, ServerStatus> tracker = new ServiceTracker<>(context, ServerStatus.class, null);
        tracker.open();
        try {
            ServerStatus status = tracker.waitForService(60_000);
            assertNotNull(status, "the server component registered no status");
            assertTrue(status.failure().isEmpty(), () -> "the server did not start: " + status.failure().get());
            return status.uri().orElseThrow();
        } finally {
            tracker.close();
        }
    }
}
