package org.trestle.sync.core.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import jakarta.persistence.EntityManager;

import org.trestle.sync.api.TypeVersions;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.packet.Change;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;
import org.trestle.sync.core.internal.model.ExtraAttributesRow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Changes between nodes that run different versions of an entity type's declaration.
 * <ul>
 * <li>From a node running a later version: attributes this node does not know are taken
 * out of the change and kept ({@link ExtraAttributesRow}); every change of the entity
 * made here carries them again, untouched.</li>
 * <li>From a node running an earlier version (or not saying which): an attribute its
 * change does not carry keeps the value it has here, rather than becoming empty.</li>
 * </ul>
 * Between equal versions nothing changes: an unknown attribute is an error for that change.
 */
final class TypeVersioning {

    /** A change as this node applies it, and the attributes it keeps aside. */
    record Adapted(Change change, ObjectNode extras, String theirVersion) {
    }

    private final EntityCodec codec;
    private final ObjectMapper mapper;
    /** Whether any entity here has attributes kept aside: when none has, no lookup is made. */
    private volatile boolean any;

    TypeVersioning(EntityCodec codec, ObjectMapper mapper) {
        this.codec = codec;
        this.mapper = mapper;
    }

    boolean keepsAny() {
        return any;
    }

    /** Reads whether attributes are kept aside for some entity. */
    void load(EntityManager em) {
        any = !em.createQuery("select e.entityUuid from ExtraAttributesRow e", String.class).setMaxResults(1)
                .getResultList().isEmpty();
    }

    /**
     * @param theirs   the version of the type the sender runs, or {@code null} when it did not say
     * @param existing the entity as it is here, or {@code null}
     */
    Adapted adapt(TypeCodec tc, Change sent, String theirs, SyncEntity existing) {
        // a change made on an earlier version is first translated with the declared migrations
        Change c = TypeMigrations.up(tc.info(), theirs, sent);
        ObjectNode data = c.data();
        if (data == null) {
            return new Adapted(c, null, theirs);
        }
        String mine = tc.info().version();
        ObjectNode extras = null;
        ObjectNode adapted = null;
        boolean newer = TypeVersions.newer(theirs, mine);
        if (newer) {
            for (Iterator<String> names = data.fieldNames(); names.hasNext();) {
                String name = names.next();
                if (!tc.byName().containsKey(name)) {
                    if (extras == null) {
                        extras = mapper.createObjectNode();
                        adapted = data.deepCopy();
                    }
                    extras.set(name, data.get(name));
                    adapted.remove(name);
                }
            }
        }
        if (existing != null && (theirs == null || !TypeVersions.valid(theirs) || TypeVersions.compare(theirs, mine) != 0)) {
            // another version's change lacks attributes it does not have (or no longer has): they stay
            ObjectNode current = null;
            for (EntityCodec.AttributeCodec a : tc.attributes()) {
                if (!data.has(a.name()) && !a.derived()) {
                    if (current == null) {
                        current = codec.serialize(existing);
                        if (adapted == null) {
                            adapted = data.deepCopy();
                        }
                    }
                    adapted.set(a.name(), current.get(a.name()));
                }
            }
        }
        if (adapted == null) {
            return new Adapted(c, null, theirs);
        }
        return new Adapted(new Change(c.seq(), c.entityType(), c.entityUuid(), c.operation(), c.updatedAt(), adapted,
                c.changed() == null ? null : c.changed().stream().filter(tc.byName()::containsKey).toList(), c.base(),
                c.resolves()), extras, theirs);
    }

    /** Keeps the attributes set aside for an entity, over those kept before of the same names. */
    void keep(EntityManager em, String type, String uuid, ObjectNode extras, String version) {
        if (extras == null || extras.isEmpty()) {
            return;
        }
        ExtraAttributesRow row = em.find(ExtraAttributesRow.class, uuid);
        if (row == null) {
            row = new ExtraAttributesRow();
            row.entityUuid = uuid;
            row.entityType = type;
            row.data = extras.toString();
            row.typeVersion = version;
            em.persist(row);
        } else {
            ObjectNode merged = parse(row.data);
            merged.setAll(extras);
            row.data = merged.toString();
            if (version != null && (row.typeVersion == null || TypeVersions.newer(version, row.typeVersion))) {
                row.typeVersion = version;
            }
        }
        any = true;
    }

    /** Adds the attributes kept aside for the entity, if any, to its serialized state. */
    ObjectNode withExtras(EntityManager em, String uuid, ObjectNode data) {
        if (!any) {
            return data;
        }
        ExtraAttributesRow row = em.find(ExtraAttributesRow.class, uuid);
        return row == null ? data : merge(data, row.data);
    }

    /** The same on a connection, inside the committing transaction. */
    ObjectNode withExtras(Connection connection, String uuid, ObjectNode data) throws SQLException {
        if (!any) {
            return data;
        }
        try (PreparedStatement q = connection.prepareStatement(
                "SELECT DATA FROM SYNC_EXTRA_ATTRIBUTES WHERE ENTITY_UUID = ?")) {
            q.setString(1, uuid);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? merge(data, rs.getString(1)) : data;
            }
        }
    }

    private ObjectNode merge(ObjectNode data, String extras) {
        ObjectNode kept = parse(extras);
        List<String> names = new ArrayList<>();
        kept.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            if (!data.has(name)) {
                data.set(name, kept.get(name));
            }
        }
        return data;
    }

    private ObjectNode parse(String json) {
        try {
            return (ObjectNode) mapper.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("attributes kept for a later version are unreadable", e);
        }
    }

    /** @return the versions the sender said it runs, by type */
    static String theirs(Map<String, String> types, String type) {
        return types == null ? null : types.get(type);
    }
}
