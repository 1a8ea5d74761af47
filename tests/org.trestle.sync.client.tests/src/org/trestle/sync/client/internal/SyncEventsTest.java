package org.trestle.sync.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.trestle.sync.api.SyncState;
import org.trestle.sync.api.SyncStatus;
import org.trestle.sync.api.SyncTopics;

/**
 * The sync service's events through the runtime's Event Admin: each carries the state,
 * read once per call that asks for it and not at all where a reading is passed on.
 */
class SyncEventsTest {

    private static final String TOPIC = "org/trestle/sync/test/SyncEventsTest";

    private BundleContext context;
    private ServiceReference<EventAdmin> adminRef;
    private EventAdmin admin;
    private ServiceRegistration<EventHandler> handler;
    private final BlockingQueue<Event> received = new LinkedBlockingQueue<>();
    private final AtomicInteger readings = new AtomicInteger();

    @BeforeEach
    void listen() {
        context = FrameworkUtil.getBundle(SyncEvents.class).getBundleContext();
        adminRef = context.getServiceReference(EventAdmin.class);
        assertNotNull(adminRef, "the runtime has an Event Admin");
        admin = context.getService(adminRef);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(EventConstants.EVENT_TOPIC, TOPIC);
        handler = context.registerService(EventHandler.class, received::add, props);
    }

    @AfterEach
    void stop() {
        handler.unregister();
        context.ungetService(adminRef);
    }

    private SyncState reading() {
        return new SyncState(SyncStatus.SYNCING, "https://server.example:8443", "SITE-1", "node-1",
                readings.incrementAndGet(), 0, null, null, null);
    }

    private Event next() throws InterruptedException {
        Event e = received.poll(10, TimeUnit.SECONDS);
        assertNotNull(e, "the event arrived");
        return e;
    }

    @Test
    void eachPostReadsTheStateOnceAndCarriesIt() throws Exception {
        SyncEvents events = new SyncEvents(() -> admin, this::reading);
        events.post(TOPIC, Map.of(SyncTopics.PROPERTY_RECEIVED, 7));
        Event e = next();
        assertEquals(7, e.getProperty(SyncTopics.PROPERTY_RECEIVED));
        SyncState s = (SyncState) e.getProperty(SyncTopics.PROPERTY_STATE);
        assertEquals(1, s.pendingChanges(), "the state read for this event");
        assertEquals(1, readings.get());
    }

    @Test
    void eventsPostedTogetherShareOneReading() throws Exception {
        SyncEvents events = new SyncEvents(() -> admin, this::reading);
        SyncState once = events.current();
        events.post(TOPIC, Map.of("n", 1), once);
        events.post(TOPIC, Map.of("n", 2), once);
        assertSame(once, next().getProperty(SyncTopics.PROPERTY_STATE));
        assertSame(once, next().getProperty(SyncTopics.PROPERTY_STATE));
        assertEquals(1, readings.get(), "one reading for both events");
    }

    @Test
    void aStateThatCannotBeReadLeavesItOutAndTheEventStillGoes() throws Exception {
        Supplier<SyncState> closing = () -> {
            throw new IllegalStateException("the database is closing");
        };
        new SyncEvents(() -> admin, closing).post(TOPIC, Map.of("n", 3));
        Event e = next();
        assertEquals(3, e.getProperty("n"));
        assertFalse(e.containsProperty(SyncTopics.PROPERTY_STATE));
    }

    @Test
    void withoutEventAdminNothingIsRead() {
        new SyncEvents(() -> null, this::reading).post(TOPIC, Map.of());
        assertEquals(0, readings.get());
    }
}
