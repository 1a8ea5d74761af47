package org.trestle.sync.core.internal;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import jakarta.persistence.EntityManager;

import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.core.internal.EntityCodec.AttributeCodec;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;
import org.trestle.sync.core.internal.model.TombstoneRow;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a packet's changes need from the database, read before they apply with one
 * bounded range scan per type instead of one lookup per change: which of its entities
 * are absent, which entities its references name, and whether any tombstone exists.
 */
final class Prefetch {

    private final EngineState state;
    private final EntityCodec codec;
    private final Queries queries;

    Prefetch(EngineState state) {
        this.state = state;
        this.codec = state.codec;
        this.queries = state.queries;
    }

    /**
     * Finds which of the packet's entities the database lacks with one bounded scan of
     * the uuid index per type, instead of one lookup per change: the uuids stored between
     * the packet's lowest and highest are read, at most a few more than the packet has.
     * On an initial load, whose entities come in uuid order, that range holds nothing
     * yet. When the range holds more (a packet spread over the whole table), each change
     * looks its entity up as before. Only canonical uuids take part: their order is the
     * same under every collation a database may use.
     */
    void probeAbsent(EntityManager em, List<Change> changes, long appliedSeq, Outcome o) {
        Map<TypeCodec, TreeSet<String>> byType = new LinkedHashMap<>();
        for (Change c : changes) {
            TypeCodec tc = c.seq() > appliedSeq && isCanonicalUuid(c.entityUuid()) ? codec.type(c.entityType()) : null;
            if (tc != null) {
                byType.computeIfAbsent(tc, t -> new TreeSet<>()).add(c.entityUuid());
            }
        }
        for (Map.Entry<TypeCodec, TreeSet<String>> e : byType.entrySet()) {
            TreeSet<String> uuids = e.getValue();
            List<String> held = scanRange(em, e.getKey().info(), "e.uuid", String.class, uuids);
            if (held == null) {
                continue;
            }
            Set<String> present = new HashSet<>(held);
            String type = e.getKey().info().name();
            for (String uuid : uuids) {
                if (!present.contains(uuid)) {
                    o.absent.add(type + "/" + uuid);
                }
            }
        }
    }

    /**
     * Loads the entities that the packet's changes refer to with one bounded range scan
     * per referenced type, instead of one lookup per reference. Items of an estimate
     * name the same few estimates, and time-ordered identities put the estimates of
     * one packet's items next to each other. When the range between the lowest and the
     * highest holds many more entities than are named, nothing is kept and each
     * reference is looked up as before.
     */
    void prefetchReferences(EntityManager em, List<Change> changes, long appliedSeq, Outcome o) {
        Map<TypeCodec, TreeSet<String>> byType = new LinkedHashMap<>();
        for (Change c : changes) {
            TypeCodec tc = c.seq() > appliedSeq && c.data() != null ? codec.type(c.entityType()) : null;
            if (tc == null) {
                continue;
            }
            for (AttributeCodec a : tc.attributes()) {
                JsonNode ref = a.reference() == null ? null : c.data().get(a.name());
                TypeCodec target = ref != null && ref.isTextual() && isCanonicalUuid(ref.textValue())
                        && !o.known.containsKey(ref.textValue()) ? codec.typeOf(a.reference()) : null;
                if (target != null) {
                    byType.computeIfAbsent(target, t -> new TreeSet<>()).add(ref.textValue());
                }
            }
        }
        for (Map.Entry<TypeCodec, TreeSet<String>> e : byType.entrySet()) {
            TreeSet<String> uuids = e.getValue();
            List<? extends SyncEntity> found = scanRange(em, e.getKey().info(), "e", e.getKey().info().type(), uuids);
            if (found == null) {
                continue;
            }
            for (SyncEntity entity : found) {
                if (uuids.contains(entity.getUuid())) {
                    o.known.put(entity.getUuid(), entity);
                }
            }
        }
    }

    /**
     * One bounded scan of a type's uuid index, from the lowest to the highest of the
     * given uuids, reading at most a few more rows than were named.
     *
     * @param select what to read of each entity {@code e}
     * @return what the range holds, or {@code null} when there are too few uuids for a
     *         scan to pay or the range holds many more entities than were named
     */
    private <T> List<T> scanRange(EntityManager em, EntityTypeInfo info, String select, Class<T> type,
            TreeSet<String> uuids) {
        if (uuids.size() < 8) {
            return null; // a few lookups cost no more than the scan
        }
        int limit = uuids.size() + 64;
        List<T> found = queries.of(em, "select " + select + " from " + state.entityName(info)
                + " e where e.uuid >= :lo and e.uuid <= :hi", type).setParameter("lo", uuids.first())
                .setParameter("hi", uuids.last()).setMaxResults(limit + 1).getResultList();
        return found.size() > limit ? null : found;
    }

    private static boolean isCanonicalUuid(String s) {
        if (s == null || s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char ch = s.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? ch != '-' : !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Tombstones are rare: when there are none, no change of the packet needs to look
     * for one.
     */
    void checkTombstones(EntityManager em, Outcome o) {
        o.noTombstones = queries.of(em, "select count(t) from TombstoneRow t", Long.class).getSingleResult() == 0;
    }
}
