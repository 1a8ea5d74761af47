package org.trestle.sync.client.internal;

import java.util.Map;
import java.util.function.LongSupplier;

import org.trestle.sync.api.ExchangeStep;
import org.trestle.sync.api.SyncTopics;

/**
 * How far a synchronization has come in receiving: the changes received so far and, when
 * more than a packet is coming (an initial load, a long absence), what it receives in all,
 * asked of the server once after the first exchange.
 */
final class ReceiveProgress {

    private final LongSupplier pendingAtServer;
    private long received;
    private long total = -1;

    /** @param pendingAtServer what the server still holds for this node (0 when it does not say) */
    ReceiveProgress(LongSupplier pendingAtServer) {
        this.pendingAtServer = pendingAtServer;
    }

    /** @return the properties of {@link SyncTopics#PROGRESS} after an exchange */
    Map<String, Object> after(ExchangeStep step) {
        received += step.received();
        if (total < 0) {
            total = step.again() && step.received() > 0 ? received + Math.max(0, pendingAtServer.getAsLong()) : 0;
        }
        return Map.of(SyncTopics.PROPERTY_PHASE, SyncTopics.PHASE_RECEIVING, SyncTopics.PROPERTY_RECEIVED,
                (int) Math.min(Integer.MAX_VALUE, received), SyncTopics.PROPERTY_MORE, step.again(),
                SyncTopics.PROPERTY_TOTAL, Math.max(total, received));
    }

    /** @return the properties of {@link SyncTopics#PROGRESS} while the kept initial load is written */
    static Map<String, Object> writing(long written, long total) {
        return Map.of(SyncTopics.PROPERTY_PHASE, SyncTopics.PHASE_WRITING, SyncTopics.PROPERTY_WRITTEN, written,
                SyncTopics.PROPERTY_TOTAL, total, SyncTopics.PROPERTY_MORE, written < total);
    }

    /** @return "Writing 12000 of 100000 received entities" */
    static String writingText(long written, long total) {
        return "Writing " + written + " of " + total + " received entities";
    }

    /** @return "Received 1200 of 100000 changes", or without the total when none is known */
    String text() {
        return "Received " + received + (total > received ? " of " + total : "") + " changes";
    }
}
