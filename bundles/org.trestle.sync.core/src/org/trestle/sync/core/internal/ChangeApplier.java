package org.trestle.sync.core.internal;

import java.util.List;
import java.util.UUID;

import jakarta.persistence.EntityManager;

import org.trestle.sync.api.ChangeError;
import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.Resolution;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.api.packet.Operation;
import org.trestle.sync.api.packet.Wire;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;
import org.trestle.sync.core.internal.model.DeadLetterRow;
import org.trestle.sync.core.internal.model.DeferredRow;
import org.trestle.sync.core.internal.model.SyncChangeRow;
import org.trestle.sync.core.internal.model.SyncNodeRow;
import org.trestle.sync.core.internal.model.SyncPacketRow;
import org.trestle.sync.core.internal.model.TombstoneRow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Applies one incoming change: deletes and tombstones, the server's conflict check, the
 * domain's rules, changes held until the entity they reference arrives, and changes kept
 * aside for an administrator when they cannot be applied.
 */
final class ChangeApplier {

    private final EngineState state;
    private final EntityCodec codec;
    private final PacketCodec packets;
    private final EngineSettings settings;
    private final Queries queries;
    private final ChangeCapture capture;
    private final Rules rules;
    private final ConflictPolicy policy;
    private final Dependents dependents;

    ChangeApplier(EngineState state, Rules rules, ConflictPolicy policy) {
        this.state = state;
        this.codec = state.codec;
        this.packets = state.packets;
        this.settings = state.settings;
        this.queries = state.queries;
        this.capture = state.capture;
        this.rules = rules;
        this.policy = policy;
        this.dependents = new Dependents(state);
    }

    void applyChecked(EntityManager em, SyncNodeRow sender, Change c, Outcome o) {
        TypeCodec tc = codec.type(c.entityType());
        if (tc == null) {
            String theirs = TypeVersioning.theirs(o.senderTypes, c.entityType());
            if (theirs != null) {
                // a type the sender runs and this node does not have yet: kept, and applied
                // when the plugin that declares it is installed here
                deadLetter(em, sender.nodeId, c, NOT_INSTALLED, "the entity type '" + Wire.abbreviate(c.entityType())
                        + "' (version " + theirs + " on the sender) is not installed here; the change is kept and applied "
                        + "once its plugin is", o);
                return;
            }
            deadLetter(em, sender.nodeId, c, "unknown_entity_type",
                    "no plugin here declares the entity type '" + Wire.abbreviate(c.entityType()) + "'", o);
            return;
        }
        try {
            apply(em, sender.nodeId, seenSeq(em, sender, c.base()), tc, c, o);
        } catch (ApplyException e) {
            deadLetter(em, sender.nodeId, c, e.code, e.getMessage(), o);
        } catch (MissingReferenceException m) {
            int maxHeld = settings.maxHeldPerNode();
            if (heldFor(em, sender.nodeId) >= maxHeld) {
                // a node cannot fill the server with changes that wait for entities that never come
                deadLetter(em, sender.nodeId, c, "too_many_held", "the change refers to " + Wire.abbreviate(m.missingUuid)
                        + ", which is not here, and " + maxHeld + " changes of this node wait already", o);
                return;
            }
            defer(em, sender.nodeId, c, m.missingUuid);
            o.deferredExist = true;
            o.processed++;
        }
    }

    /** The highest seq of this node's changes the sender had seen when it made a change. */
    private static long seenSeq(EntityManager em, SyncNodeRow sender, Long base) {
        if (base == null || base >= sender.sentPacketNo) {
            return base == null ? sender.ackedSeq : Math.max(sender.ackedSeq, maxSeqOf(em, sender, base));
        }
        return maxSeqOf(em, sender, base);
    }

    private static long maxSeqOf(EntityManager em, SyncNodeRow sender, long packetNo) {
        if (packetNo <= 0) {
            return 0;
        }
        SyncPacketRow row = em.find(SyncPacketRow.class, SyncPacketRow.key(sender.nodeId, packetNo));
        return row == null ? sender.ackedSeq : row.maxSeq;
    }

    private void apply(EntityManager em, String origin, long seen, TypeCodec tc, Change sent, Outcome o) {
        Class<? extends SyncEntity> type = tc.info().type();
        String uuid = sent.entityUuid();
        SyncEntity known = o.known.get(uuid);
        SyncEntity existing = type.isInstance(known) ? known
                : o.absent.contains(tc.info().name() + "/" + uuid) ? null : em.find(type, uuid);
        if (existing != null) {
            o.known.put(uuid, existing);
        }
        // between versions of the type: attributes of a later one set aside, those an earlier one lacks kept
        TypeVersioning.Adapted adapted = state.versioning.adapt(tc, sent,
                TypeVersioning.theirs(o.senderTypes, tc.info().name()), existing);
        Change c = adapted.change();
        if (adapted.extras() != null) {
            o.setAside.put(uuid, adapted);
        }
        if (c.operation() == Operation.EVICT) {
            if (state.isServer()) {
                throw new ApplyException("invalid_operation", "EVICT goes from the server to a client only");
            }
            if (existing != null) {
                state.scoping.evict(em, tc, uuid);
                o.known.remove(uuid);
            }
            o.processed++;
            return;
        }
        String rootBefore = null;
        if (state.isServer()) {
            state.scoping.checkWrite(em, origin, tc, existing, c);
            rootBefore = state.scoping.rootBefore(tc, existing);
        }
        boolean tombstoned = o.tombstoned.contains(uuid)
                || (!o.noTombstones && em.find(TombstoneRow.class, uuid) != null);
        if (c.operation() == Operation.DELETE) {
            if (existing != null) {
                if (!existing.isDeleted()) {
                    List<SyncChangeRow> conflicting = state.isServer() ? conflicting(em, uuid, origin, seen) : List.of();
                    if (!conflicting.isEmpty()) {
                        // a delete of a version that was edited since conflicts like an edit does
                        policy.resolveDeleteConflict(em, origin, tc, existing, c, conflicting, o);
                        return;
                    }
                    List<Dependents.Taken> along;
                    try {
                        // the server refuses to leave a live entity referring to a deleted one; a client
                        // takes the master's delete, with what deletes along with it here
                        along = dependents.along(em, tc, existing, state.isServer());
                    } catch (ApplyException refused) {
                        capture.queue(policy.revival(tc, existing, origin)); // the origin gets it back
                        throw refused;
                    }
                    capture.markIncoming(uuid, origin, c.resolves());
                    existing.setDeleted(true);
                    existing.setUpdatedAt(c.updatedAt() == null ? Wire.now() : c.updatedAt());
                    // the entities deleted along are this node's changes, for every node: the origin
                    // may not have held them all
                    Dependents.delete(along);
                }
            } else if (!tombstoned) {
                TombstoneRow t = new TombstoneRow();
                t.entityUuid = uuid;
                t.entityType = tc.info().name();
                t.deletedAt = c.updatedAt();
                em.persist(t);
                o.tombstoned.add(uuid);
            }
            if (c.resolves() != null) {
                ConflictStore.closeConflict(em, c.resolves(), uuid, state.isServer() ? origin : null);
            }
            if (o.deferredExist) {
                dropDeferredFor(em, uuid);
            }
            o.processed++;
            return;
        }
        if (!state.isServer() && existing != null && hasUnacknowledgedLocalChange(em, uuid)) {
            // the server decides between its version and ours; it answers with the outcome
            o.processed++;
            return;
        }
        // A deleted entity never comes back through an edit: on the server the edit is kept as a
        // losing version. The one way back is the server's INSERT of the whole state, sent
        // when an administrator restored the entity or when this node's delete lost a conflict;
        // an UPDATE that was under way before the delete is not one.
        boolean revived = !state.isServer() && existing != null && c.operation() == Operation.INSERT;
        if ((tombstoned || (existing != null && existing.isDeleted())) && !revived) {
            if (state.isServer() && tc.info().versionHistory() && c.data() != null) {
                policy.record(em, UUID.randomUUID().toString(), tc, uuid, origin, c, c.data(), null, Resolution.SERVER_WINS, false);
            }
            o.skipped++;
            return;
        }
        if (state.isServer() && existing != null) {
            List<SyncChangeRow> conflicting = conflicting(em, uuid, origin, seen);
            if (!conflicting.isEmpty()) {
                // made before changes now pruned: their attribute lists are gone, so the whole entity is in question
                policy.resolveConflict(em, origin, tc, existing, c, conflicting, seen < state.recent.prunedUpTo(), o);
                return;
            }
        }
        if (state.isServer()) {
            // The server checks the domain's rules on what it accepts. A client takes the
            // master's state as it is: refusing it would leave the client apart for good.
            rules.checkRules(em, tc, existing, uuid, EngineState.dataOf(c), null, o.known);
        }
        SyncEntity entity = existing != null ? existing : EngineState.instantiate(type, uuid);
        codec.apply(tc, entity, EngineState.dataOf(c), null, state.resolver(em, o.known));
        state.versioning.keep(em, tc.info().name(), uuid, adapted.extras(), adapted.theirVersion());
        entity.setUpdatedAt(c.updatedAt() == null ? Wire.now() : c.updatedAt());
        entity.setDeleted(false);
        capture.markIncoming(uuid, origin, c.resolves());
        if (existing == null) {
            em.persist(entity);
            o.known.put(uuid, entity);
        }
        if (state.isServer()) {
            state.scoping.afterWrite(em, origin, tc, entity, existing == null, rootBefore);
        }
        if (c.resolves() != null) {
            ConflictStore.closeConflict(em, c.resolves(), uuid, state.isServer() ? origin : null);
        }
        o.processed++;
        if (o.deferredExist) {
            dropDeferredFor(em, uuid);
            releaseDeferred(em, uuid, o);
        }
    }

    /** The server's changes to the entity that the origin had not seen when it made its change. */
    private List<SyncChangeRow> conflicting(EntityManager em, String uuid, String origin, long seen) {
        // a handful of rows, ordered here: a database sort per applied change costs more than they do
        List<SyncChangeRow> rows = new java.util.ArrayList<>(queries.of(em, "select r from SyncChangeRow r "
                + "where r.entityUuid = :u and r.originNode <> :o and (r.targetNode is null or r.targetNode = :o) "
                + "and r.seq > :seen", SyncChangeRow.class).setParameter("u", uuid).setParameter("o", origin)
                .setParameter("seen", seen).getResultList());
        rows.sort(java.util.Comparator.comparingLong(r -> r.seq));
        return rows;
    }

    private boolean hasUnacknowledgedLocalChange(EntityManager em, String uuid) {
        SyncNodeRow master = em.find(SyncNodeRow.class, state.serverId());
        long acked = master == null ? 0 : master.ackedSeq;
        return queries.of(em, "select count(r) from SyncChangeRow r where r.entityUuid = :u and r.originNode = :s "
                + "and r.seq > :a", Long.class).setParameter("u", uuid).setParameter("s", state.selfId())
                .setParameter("a", acked).getSingleResult() > 0;
    }

    private long heldFor(EntityManager em, String sender) {
        return queries.of(em, "select count(d) from DeferredRow d where d.sender = :s", Long.class).setParameter("s", sender)
                .getSingleResult();
    }

    private void defer(EntityManager em, String sender, Change c, String missing) {
        DeferredRow d = new DeferredRow();
        d.id = UUID.randomUUID().toString();
        d.sender = sender;
        d.seq = c.seq();
        d.entityUuid = c.entityUuid();
        d.missingUuid = missing;
        d.change = PacketCodec.changeToTree(c).toString();
        d.receivedAt = Wire.now();
        em.persist(d);
        // later changes of this packet look deferred changes up by query
        em.flush();
    }

    /** A newer version of the entity arrived: older held versions of it are obsolete. */
    private void dropDeferredFor(EntityManager em, String uuid) {
        for (DeferredRow d : queries.of(em, "select d from DeferredRow d where d.entityUuid = :u", DeferredRow.class)
                .setParameter("u", uuid).getResultList()) {
            em.remove(d);
        }
    }

    /** Applies the changes that were waiting for this entity. */
    private void releaseDeferred(EntityManager em, String uuid, Outcome o) {
        List<DeferredRow> waiting = queries.of(em, "select d from DeferredRow d where d.missingUuid = :u "
                + "order by d.receivedAt, d.seq", DeferredRow.class).setParameter("u", uuid).getResultList();
        for (DeferredRow d : waiting) {
            em.remove(d);
            Change c;
            try {
                c = packets.fromTree(wrap(d.change)).changes().get(0);
            } catch (RuntimeException e) {
                continue;
            }
            SyncNodeRow sender = em.find(SyncNodeRow.class, d.sender);
            TypeCodec tc = codec.type(c.entityType());
            if (sender == null || sender.revoked || tc == null) {
                continue; // what a revoked node sent is not applied later
            }
            try {
                Outcome released = new Outcome();
                released.deferredExist = true;
                // read as its sender's version of the type, as the sender last said it
                released.senderTypes = sender.typeVersionsMap();
                apply(em, d.sender, seenSeq(em, sender, c.base()), tc, c, released);
            } catch (ApplyException e) {
                deadLetter(em, d.sender, c, e.code, e.getMessage(), o);
            } catch (MissingReferenceException m) {
                defer(em, d.sender, c, m.missingUuid);
            }
        }
    }

    private JsonNode wrap(String change) {
        try {
            ObjectNode root = packets.mapper().createObjectNode();
            root.put("protocol", 1).put("schema_version", settings.schemaVersion()).put("sender", "x").put("target", "x")
                    .put("packet_no", 1).put("ack", 0).put("created_at", Wire.format(Wire.now())).put("has_more", false);
            root.putArray("changes").add(packets.mapper().readTree(change));
            return root;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The error code of a change kept because its type's plugin is not installed here yet. */
    static final String NOT_INSTALLED = "type_not_installed";

    /**
     * Applies the changes kept because their type was not installed, now that it is: in
     * the order they arrived, each as if it came again from its sender. A change that
     * fails now is kept with its new error instead.
     *
     * @return how many were applied
     */
    int applyKeptForInstalledTypes() {
        List<String> known = codec.types().stream().map(t -> t.info().name()).toList();
        if (known.isEmpty()) {
            return 0;
        }
        return state.inLoggingTx(em -> {
            List<DeadLetterRow> kept = em.createQuery("select d from DeadLetterRow d where d.error = :e "
                    + "and d.entityType in :types order by d.receivedAt, d.seq", DeadLetterRow.class)
                    .setParameter("e", NOT_INSTALLED).setParameter("types", known).getResultList();
            int applied = 0;
            for (DeadLetterRow d : kept) {
                SyncNodeRow sender = em.find(SyncNodeRow.class, d.sender);
                Change c;
                try {
                    c = PacketCodec.changeFromTree(packets.mapper().readTree(d.change));
                } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
                    continue; // unreadable: stays for an administrator
                }
                em.remove(d);
                if (sender == null) {
                    continue;
                }
                Outcome o = new Outcome();
                o.deferredExist = true;
                o.senderTypes = sender.typeVersionsMap();
                applyChecked(em, sender, c, o);
                applied += o.processed;
            }
            return applied;
        });
    }

    void deadLetter(EntityManager em, String sender, Change c, String code, String message, Outcome o) {
        if (NOT_INSTALLED.equals(code)) {
            // each change carries the entity's whole state: the latest one kept is all the plugin will need
            // (an initial load and the log may both bring an entity made while it ran)
            em.createQuery("delete from DeadLetterRow d where d.error = :e and d.entityUuid = :u and d.sender = :s")
                    .setParameter("e", NOT_INSTALLED).setParameter("u", Wire.abbreviate(c.entityUuid()))
                    .setParameter("s", sender).executeUpdate();
        }
        DeadLetterRow d = new DeadLetterRow();
        d.id = UUID.randomUUID().toString();
        d.sender = sender;
        d.seq = c.seq();
        d.entityType = Wire.abbreviate(c.entityType());
        d.entityUuid = Wire.abbreviate(c.entityUuid());
        d.error = code;
        d.message = message.length() > 2000 ? message.substring(0, 2000) : message;
        d.change = PacketCodec.changeToTree(c).toString();
        d.receivedAt = Wire.now();
        em.persist(d);
        o.errors.add(new ChangeError(c.seq(), c.entityType(), c.entityUuid(), code, message));
    }
}
