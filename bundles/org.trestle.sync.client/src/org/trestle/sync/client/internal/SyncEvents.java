package org.trestle.sync.client.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.trestle.sync.api.SyncState;
import org.trestle.sync.api.SyncTopics;

/**
 * The sync service's events on Event Admin, each carrying the service's state as
 * {@link SyncTopics#PROPERTY_STATE}. Reading the state costs queries, so events posted
 * together (an exchange's, a load's writing progress) share one reading.
 */
final class SyncEvents {

    private final Supplier<EventAdmin> admin;
    private final Supplier<SyncState> state;

    SyncEvents(Supplier<EventAdmin> admin, Supplier<SyncState> state) {
        this.admin = admin;
        this.state = state;
    }

    /** Posts an event with the state as it is now; nothing is read without Event Admin. */
    void post(String topic, Map<String, Object> properties) {
        if (admin.get() != null) {
            post(topic, properties, current());
        }
    }

    /** Posts an event carrying a state already read ({@code null}: none). */
    void post(String topic, Map<String, Object> properties, SyncState read) {
        EventAdmin events = admin.get();
        if (events == null) {
            return;
        }
        Map<String, Object> all = new HashMap<>(properties);
        if (read != null) {
            all.put(SyncTopics.PROPERTY_STATE, read);
        }
        events.postEvent(new Event(topic, all));
    }

    /** @return the state now, or {@code null} while the database closes (the event goes without one) */
    SyncState current() {
        try {
            return state.get();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
