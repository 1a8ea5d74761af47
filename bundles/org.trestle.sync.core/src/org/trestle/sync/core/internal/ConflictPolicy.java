package org.trestle.sync.core.internal;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.persistence.EntityManager;

import org.trestle.sync.api.ConflictReport;
import org.trestle.sync.api.ConflictStrategy;
import org.trestle.sync.api.Resolution;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Wire;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;
import org.trestle.sync.core.internal.model.SyncChangeRow;
import org.trestle.sync.core.internal.model.VersionHistoryRow;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The server's decision when a node changed an entity whose newer version it had not
 * seen: the attributes only the node changed are merged, the type's strategy decides
 * those both sides changed (the whole entity when either side's set is not known); every
 * losing version is kept in the version history.
 */
final class ConflictPolicy {

    private final EngineState state;
    private final EntityCodec codec;
    private final ChangeCapture capture;
    private final Rules rules;

    ConflictPolicy(EngineState state, Rules rules) {
        this.state = state;
        this.codec = state.codec;
        this.capture = state.capture;
        this.rules = rules;
    }

    /** The incoming version won or merged: the attributes of a later version it carried are kept too. */
    private void keepSetAside(EntityManager em, TypeCodec tc, String uuid, Outcome o) {
        TypeVersioning.Adapted a = o.setAside.get(uuid);
        if (a != null) {
            state.versioning.keep(em, tc.info().name(), uuid, a.extras(), a.theirVersion());
        }
    }

    /**
     * @param wholeEntity the change was made before changes that were pruned: which
     *                    attributes they changed is no longer known, so nothing is merged
     */
    void resolveConflict(EntityManager em, String origin, TypeCodec tc, SyncEntity existing, Change c,
            List<SyncChangeRow> conflicting, boolean wholeEntity, Outcome o) {
        String uuid = existing.getUuid();
        ObjectNode serverData = codec.serialize(existing);
        Set<String> incoming = c.changed() == null || c.changed().isEmpty() ? null : new LinkedHashSet<>(c.changed());
        Set<String> ours = wholeEntity ? null : new LinkedHashSet<>();
        for (SyncChangeRow r : wholeEntity ? List.<SyncChangeRow>of() : conflicting) {
            if (r.changed == null || !Operation.UPDATE.name().equals(r.operation)) {
                ours = null;
                break;
            }
            ours.addAll(Arrays.asList(r.changed.split(",")));
        }
        String versionId = UUID.randomUUID().toString();
        boolean history = tc.info().versionHistory();
        ConflictStrategy strategy = tc.info().strategy();
        ObjectNode incomingData = EngineState.dataOf(c);
        Resolution resolution;
        // attributes changed on the incoming side only are merged before any strategy
        Set<String> theirsOnly = new LinkedHashSet<>();
        if (incoming != null && ours != null && c.operation() == Operation.UPDATE) {
            theirsOnly.addAll(incoming);
            theirsOnly.removeAll(ours);
        }
        if (!theirsOnly.isEmpty() && theirsOnly.size() == incoming.size()) {
            rules.checkRules(em, tc, existing, uuid, incomingData, incoming);
            codec.apply(tc, existing, incomingData, incoming, state.resolver(em, null));
            keepSetAside(em, tc, uuid, o);
            if (c.updatedAt() != null && c.updatedAt().isAfter(existing.getUpdatedAt())) {
                existing.setUpdatedAt(c.updatedAt());
            }
            capture.markIncoming(uuid, origin, null);
            capture.queue(state.stateRow(tc.info().name(), existing, origin, Wire.now()));
            resolution = Resolution.MERGED;
            if (history) {
                record(em, versionId, tc, uuid, origin, c, incomingData, serverData, resolution, false);
            }
        } else if (strategy == ConflictStrategy.TIMESTAMP_WINS && c.updatedAt() != null
                && c.updatedAt().isAfter(existing.getUpdatedAt())) {
            rules.checkRules(em, tc, existing, uuid, incomingData, incoming);
            codec.apply(tc, existing, incomingData, incoming, state.resolver(em, null));
            keepSetAside(em, tc, uuid, o);
            existing.setUpdatedAt(c.updatedAt());
            capture.markIncoming(uuid, origin, null);
            // the versions it beat may still be queued for the origin: the final state follows them
            capture.queue(state.stateRow(tc.info().name(), existing, origin, Wire.now()));
            resolution = Resolution.CLIENT_WINS;
            if (history) {
                String loserSource = conflicting.get(conflicting.size() - 1).originNode;
                VersionHistoryRow h = record(em, versionId, tc, uuid, loserSource, c, serverData, incomingData, resolution, false);
                h.versionUpdatedAt = conflicting.get(conflicting.size() - 1).updatedAt;
            }
        } else {
            // the server's version stays for the attributes both sides changed; the others come in
            if (!theirsOnly.isEmpty()) {
                rules.checkRules(em, tc, existing, uuid, incomingData, theirsOnly);
                codec.apply(tc, existing, incomingData, theirsOnly, state.resolver(em, null));
                keepSetAside(em, tc, uuid, o);
                capture.markIncoming(uuid, origin, null);
            }
            if (strategy == ConflictStrategy.MANUAL) {
                record(em, versionId, tc, uuid, origin, c, incomingData, serverData, Resolution.MANUAL_PENDING, true);
                resolution = Resolution.MANUAL_PENDING;
            } else {
                if (history) {
                    record(em, versionId, tc, uuid, origin, c, incomingData, serverData, Resolution.SERVER_WINS, false);
                }
                resolution = Resolution.SERVER_WINS;
            }
            capture.queue(state.stateRow(tc.info().name(), existing, origin, Wire.now()));
        }
        o.processed++;
        o.conflicts.add(new ConflictReport(versionId, tc.info().name(), uuid, resolution));
    }

    /**
     * A node deleted a version of the entity that was edited since. The delete is
     * decided by the type's strategy as an edit would be; there are no attributes to
     * merge. The losing version is kept in the history either way: the delete (no data)
     * when the server's version stays, the server's version when the delete wins.
     */
    void resolveDeleteConflict(EntityManager em, String origin, TypeCodec tc, SyncEntity existing, Change c,
            List<SyncChangeRow> conflicting, Outcome o) {
        String uuid = existing.getUuid();
        ObjectNode serverData = codec.serialize(existing);
        String versionId = UUID.randomUUID().toString();
        ConflictStrategy strategy = tc.info().strategy();
        Resolution resolution;
        if (strategy == ConflictStrategy.TIMESTAMP_WINS && c.updatedAt() != null
                && c.updatedAt().isAfter(existing.getUpdatedAt())) {
            capture.markIncoming(uuid, origin, null);
            existing.setDeleted(true);
            existing.setUpdatedAt(c.updatedAt());
            resolution = Resolution.CLIENT_WINS;
            SyncChangeRow last = conflicting.get(conflicting.size() - 1);
            VersionHistoryRow h = record(em, versionId, tc, uuid, last.originNode, c, serverData, null, resolution, false);
            h.versionUpdatedAt = last.updatedAt;
        } else if (strategy == ConflictStrategy.MANUAL) {
            record(em, versionId, tc, uuid, origin, c, null, serverData, Resolution.MANUAL_PENDING, true);
            capture.queue(revival(tc, existing, origin));
            resolution = Resolution.MANUAL_PENDING;
        } else {
            record(em, versionId, tc, uuid, origin, c, null, serverData, Resolution.SERVER_WINS, false);
            capture.queue(revival(tc, existing, origin));
            resolution = Resolution.SERVER_WINS;
        }
        o.processed++;
        o.conflicts.add(new ConflictReport(versionId, tc.info().name(), uuid, resolution));
    }

    /**
     * The origin deleted the entity: it receives the server's version back as an INSERT,
     * the one change that makes a node bring a deleted entity back.
     */
    SyncChangeRow revival(TypeCodec tc, SyncEntity existing, String origin) {
        SyncChangeRow row = state.stateRow(tc.info().name(), existing, origin, Wire.now());
        row.operation = Operation.INSERT.name();
        return row;
    }

    VersionHistoryRow record(EntityManager em, String versionId, TypeCodec tc, String uuid, String source,
            Change c, ObjectNode data, ObjectNode other, Resolution resolution, boolean open) {
        VersionHistoryRow h = new VersionHistoryRow();
        h.versionId = versionId;
        h.entityType = tc.info().name();
        h.entityUuid = uuid;
        h.sourceNode = source;
        h.arrivedAt = Wire.now();
        h.versionUpdatedAt = c.updatedAt();
        h.data = data == null ? null : data.toString();
        h.otherData = other == null ? null : other.toString();
        h.resolution = resolution.wireName();
        h.open = open;
        em.persist(h);
        return h;
    }
}
