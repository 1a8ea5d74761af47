package org.trestle.sync.core.internal;

import java.util.List;

import jakarta.persistence.EntityManager;

import org.trestle.sync.api.ConflictRecord;
import org.trestle.sync.api.ConflictResolver;
import org.trestle.sync.api.ConflictReport;
import org.trestle.sync.api.ConflictStrategy;
import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.Resolution;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Wire;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;
import org.trestle.sync.core.internal.model.VersionHistoryRow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Version history and open conflicts as people see them: listing, recording the
 * conflicts a server reported, and resolving one by hand (a new change that reaches
 * every node).
 */
final class ConflictStore implements ConflictResolver {

    private final EngineState state;
    private final EntityCodec codec;
    private final PacketCodec packets;
    private final EngineSettings settings;
    private final ChangeCapture capture;

    private final Rules rules;

    ConflictStore(EngineState state, Rules rules) {
        this.state = state;
        this.rules = rules;
        this.codec = state.codec;
        this.packets = state.packets;
        this.settings = state.settings;
        this.capture = state.capture;
    }

    /** @return how many manual conflicts wait for a person (one count query) */
    @Override
    public long openConflictCount() {
        return state.read(em -> em.createQuery("select count(h) from VersionHistoryRow h where h.open = true", Long.class)
                .getSingleResult());
    }

    /**
     * A client records the conflicts the server reported for its changes, with its own
     * version, so that a person can resolve them here.
     */
    @Override
    public void recordConflicts(List<ConflictReport> reports) {
        if (reports.isEmpty()) {
            return;
        }
        state.inLoggingTx(em -> {
            for (ConflictReport r : reports) {
                if (em.find(VersionHistoryRow.class, r.versionId()) != null) {
                    continue;
                }
                TypeCodec tc = codec.type(r.entityType());
                SyncEntity local = tc == null ? null : em.find(tc.info().type(), r.entityUuid());
                VersionHistoryRow h = new VersionHistoryRow();
                h.versionId = r.versionId();
                h.entityType = r.entityType();
                h.entityUuid = r.entityUuid();
                h.sourceNode = state.selfId();
                h.arrivedAt = Wire.now();
                h.versionUpdatedAt = local == null ? null : local.getUpdatedAt();
                h.data = local == null ? null : codec.serialize(local).toString();
                h.resolution = r.resolution().wireName();
                h.open = r.resolution() == Resolution.MANUAL_PENDING;
                em.persist(h);
            }
            return null;
        });
    }

    @Override
    public ConflictStrategy defaultStrategy() {
        return settings.defaultStrategy();
    }

    @Override
    public ConflictStrategy strategyFor(String entityType) {
        TypeCodec tc = codec.type(entityType);
        return tc == null ? settings.defaultStrategy() : tc.info().strategy();
    }

    @Override
    public List<ConflictRecord> openConflicts() {
        return state.read(em -> em.createQuery("select h from VersionHistoryRow h where h.open = true order by h.arrivedAt",
                VersionHistoryRow.class).getResultList().stream().map(this::toRecord).toList());
    }

    @Override
    public List<ConflictRecord> openConflicts(String entityType, String entityUuid, int offset, int limit) {
        return state.read(em -> {
            var q = em.createQuery("select h from VersionHistoryRow h where h.open = true"
                    + (entityType == null ? "" : " and h.entityType = :t") + (entityUuid == null ? "" : " and h.entityUuid = :u")
                    + " order by h.arrivedAt, h.versionId", VersionHistoryRow.class);
            if (entityType != null) {
                q.setParameter("t", entityType);
            }
            if (entityUuid != null) {
                q.setParameter("u", entityUuid);
            }
            return q.setFirstResult(Math.max(0, offset)).setMaxResults(Math.max(1, limit)).getResultList().stream()
                    .map(this::toRecord).toList();
        });
    }

    @Override
    public List<ConflictRecord> history(String entityType, String entityUuid) {
        return state.read(em -> em.createQuery("select h from VersionHistoryRow h where h.entityType = :t and h.entityUuid = :u "
                + "order by h.arrivedAt", VersionHistoryRow.class).setParameter("t", entityType)
                .setParameter("u", entityUuid).getResultList().stream().map(this::toRecord).toList());
    }

    private ConflictRecord toRecord(VersionHistoryRow h) {
        return new ConflictRecord(h.versionId, h.entityType, h.entityUuid, h.sourceNode, h.arrivedAt, parse(h.data),
                parse(h.otherData), Resolution.fromWireName(h.resolution), h.open);
    }

    private ObjectNode parse(String json) {
        if (json == null) {
            return null;
        }
        try {
            return (ObjectNode) packets.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    @Override
    public void resolve(String versionId, ObjectNode data) {
        state.inLoggingTx(em -> {
            VersionHistoryRow h = em.find(VersionHistoryRow.class, versionId);
            if (h == null || !h.open) {
                throw new IllegalArgumentException("there is no open conflict " + versionId);
            }
            TypeCodec tc = codec.type(h.entityType);
            SyncEntity entity = tc == null ? null : em.find(tc.info().type(), h.entityUuid);
            if (entity == null) {
                throw new IllegalArgumentException("the entity of conflict " + versionId + " is not here");
            }
            if (entity.isDeleted()) {
                throw new IllegalArgumentException("the entity of conflict " + versionId + " was deleted meanwhile");
            }
            if (data == null) {
                entity.setDeleted(true); // the delete that met an edit is what a person chose
            } else {
                try {
                    codec.apply(tc, entity, data, null, state.resolver(em, null));
                } catch (ApplyException e) {
                    throw new IllegalArgumentException(e.getMessage());
                } catch (MissingReferenceException e) {
                    throw new IllegalArgumentException("the resolution " + e.getMessage());
                }
            }
            entity.setUpdatedAt(Wire.now());
            capture.markResolution(entity.getUuid(), versionId);
            h.open = false;
            h.resolution = Resolution.RESOLVED.wireName();
            h.resolvedAt = Wire.now();
            return null;
        });
    }

    @Override
    public ObjectNode restore(String entityType, String entityUuid, String versionId) {
        if (!state.isServer()) {
            throw new IllegalStateException("deleted entities are restored on the server, which sends them to every node");
        }
        return state.inLoggingTx(em -> {
            TypeCodec tc = codec.type(entityType);
            SyncEntity entity = tc == null ? null : em.find(tc.info().type(), entityUuid);
            if (entity == null || !entity.isDeleted()) {
                throw new java.util.NoSuchElementException("there is no deleted " + Wire.abbreviate(entityType) + " "
                        + Wire.abbreviate(entityUuid));
            }
            ObjectNode data = codec.serialize(entity);
            if (versionId != null) {
                VersionHistoryRow h = em.find(VersionHistoryRow.class, versionId);
                if (h == null || !h.entityUuid.equals(entityUuid) || h.data == null) {
                    throw new IllegalArgumentException(Wire.abbreviate(versionId) + " is not a stored version of "
                            + entityType + " " + entityUuid + " with data");
                }
                data = parse(h.data);
            }
            try {
                rules.checkRules(em, tc, entity, entityUuid, data, null);
                codec.apply(tc, entity, data, null, state.resolver(em, null));
            } catch (ApplyException e) {
                throw new IllegalArgumentException(e.getMessage());
            } catch (MissingReferenceException e) {
                throw new IllegalArgumentException("the restored version " + e.getMessage());
            }
            entity.setDeleted(false);
            entity.setUpdatedAt(Wire.now());
            return codec.serialize(entity);
        });
    }

    /**
     * Closes the open conflict a change says it resolves, if it is a conflict of that
     * entity (and, on the server, of the node that sent the resolution): a version id
     * alone closes nothing else.
     *
     * @param source the node the conflict must have come from, or {@code null} for any
     *               (a client takes its server's resolutions)
     */
    static void closeConflict(EntityManager em, String versionId, String entityUuid, String source) {
        VersionHistoryRow h = em.find(VersionHistoryRow.class, versionId);
        if (h != null && h.open && h.entityUuid.equals(entityUuid) && (source == null || source.equals(h.sourceNode))) {
            h.open = false;
            h.resolution = Resolution.RESOLVED.wireName();
            h.resolvedAt = Wire.now();
        }
    }
}
