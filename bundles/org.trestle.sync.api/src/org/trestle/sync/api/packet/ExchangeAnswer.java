package org.trestle.sync.api.packet;

import java.util.List;
import java.util.Objects;

import org.trestle.sync.api.ChangeError;
import org.trestle.sync.api.ConflictReport;
import org.trestle.sync.api.ProcessResult;

/**
 * The server's answer to an exchange (PROTOCOL.md, {@code POST /api/sync/exchange}):
 * its packet for the client and what became of the client's changes. Written and read
 * only by {@link org.trestle.sync.api.PacketManager}.
 *
 * @param packet    the server's packet for the client
 * @param processed changes of the client's packet applied
 * @param skipped   changes skipped (already applied, stale, or of deleted entities)
 * @param errors    changes that could not be applied
 * @param conflicts conflicts met and how they ended
 * @param message   a summary for people
 * @since 0.1
 */
public record ExchangeAnswer(Packet packet, int processed, int skipped, List<ChangeError> errors,
        List<ConflictReport> conflicts, String message) {

    public ExchangeAnswer {
        Objects.requireNonNull(packet, "packet");
        errors = List.copyOf(errors);
        conflicts = List.copyOf(conflicts);
    }

    /** @return the answer to a processed packet, with the protocol's summary message */
    public static ExchangeAnswer of(Packet packet, ProcessResult result) {
        return new ExchangeAnswer(packet, result.processed(), result.skipped(), result.errors(), result.conflicts(),
                result.errors().isEmpty() ? "Sync completed successfully"
                        : "Sync completed with " + result.errors().size() + " change errors");
    }
}
