package org.trestle.sync.core.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.trestle.sync.api.ChangeError;
import org.trestle.sync.api.ConflictReport;
import org.trestle.sync.api.ExchangeRecord;
import org.trestle.sync.api.ExchangeStep;
import org.trestle.sync.api.ProcessResult;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncOutcome;
import org.trestle.sync.api.SyncStatus;
import org.trestle.sync.api.SyncTransport;
import org.trestle.sync.api.packet.ExchangeAnswer;
import org.trestle.sync.api.packet.Packet;
import org.trestle.sync.api.packet.PacketException;

/**
 * The client's side of the exchange (PROTOCOL.md, The exchange), the same over every
 * transport: the workbench's sync service, the command line, the benchmarks and the
 * test laptops all exchange through it.
 */
final class ClientExchange {

    /** A bound on one synchronization, so that a server that always has more cannot keep a client forever. */
    static final int MAX_EXCHANGES = 10_000;

    private final EngineState state;
    private final Outbox outbox;
    private final PacketProcessor processor;
    private final ConflictStore conflicts;

    ClientExchange(EngineState state, Outbox outbox, PacketProcessor processor, ConflictStore conflicts) {
        this.state = state;
        this.outbox = outbox;
        this.processor = processor;
        this.conflicts = conflicts;
    }

    ExchangeStep exchange(SyncTransport transport) throws SyncException {
        String server = state.serverId();
        if (server == null || state.isServer()) {
            throw new SyncException(SyncStatus.UNREGISTERED, "This node is not registered with a server yet", null);
        }
        Packet up = outbox.buildPacket(server);
        SyncTransport.Delivery delivery = transport.exchange(up);
        ExchangeAnswer answer = delivery.answer();
        Packet down = answer.packet();
        conflicts.recordConflicts(answer.conflicts());
        ProcessResult applied;
        try {
            applied = processor.processPacket(down);
        } catch (PacketException e) {
            throw new SyncException(PacketException.SCHEMA_INCOMPATIBLE.equals(e.code()) ? SyncStatus.INCOMPATIBLE
                    : SyncStatus.OFFLINE, "The server sent a packet this node refuses: " + e.getMessage(), e);
        }
        // what the server sent is acknowledged by the next packet, so a packet with changes
        // is followed by one more exchange
        boolean again = up.hasMore() || down.hasMore() || !down.changes().isEmpty();
        ExchangeRecord record = new ExchangeRecord(Instant.now(), up.packetNo(), up.changes().size(),
                delivery.bytesSent(), down.packetNo(), down.changes().size(), delivery.bytesReceived());
        return new ExchangeStep(record, answer.processed(), applied.processed(), answer.errors(), answer.conflicts(),
                again);
    }

    SyncOutcome synchronize(SyncTransport transport, Predicate<ExchangeStep> proceed) throws SyncException {
        int exchanges = 0;
        int sent = 0;
        int received = 0;
        List<ChangeError> errors = new ArrayList<>();
        List<ConflictReport> reported = new ArrayList<>();
        boolean again;
        do {
            ExchangeStep step = exchange(transport);
            exchanges++;
            sent += step.sent();
            received += step.received();
            errors.addAll(step.errors());
            reported.addAll(step.conflicts());
            again = proceed.test(step) && step.again();
        } while (again && exchanges < MAX_EXCHANGES);
        return new SyncOutcome(exchanges, sent, received, errors, reported);
    }
}
