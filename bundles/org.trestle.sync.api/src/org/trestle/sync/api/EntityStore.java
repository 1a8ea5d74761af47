package org.trestle.sync.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.trestle.sync.api.entity.SyncEntity;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reading and editing the entities of one node by type name, for user interfaces and
 * tools that do not know the entity classes. Every write is checked against the type's
 * rules and captured for synchronization like any other.
 *
 * @since 0.1
 */
public interface EntityStore {

    /** @return the types plugins declare, referenced types before the types referring to them */
    List<EntityTypeInfo> types();

    /** @return the type of this name, if a plugin declares it */
    Optional<EntityTypeInfo> type(String name);

    /**
     * @return the type's synchronized attributes, sorted by name
     * @throws IllegalArgumentException for an unknown type
     */
    List<AttributeInfo> attributes(String type);

    /**
     * @return the live entities of a type, oldest edit first
     * @throws IllegalArgumentException for an unknown type
     */
    List<EntityRow> list(String type);

    /**
     * @return the live entities of a type that reference the entity {@code uuid} through
     *         {@code reference} (e.g. the items of one estimate), selected in the database,
     *         oldest edit first
     * @throws IllegalArgumentException for an unknown type, or an attribute that is not a
     *                                  reference of it
     */
    List<EntityRow> referencing(String type, String reference, String uuid);

    /** @return the live entity, if there is one */
    Optional<EntityRow> find(String type, String uuid);

    /**
     * Creates or updates an entity from the attributes named in {@code data} (others keep
     * their value, or a new entity's defaults), checking the type's rules first.
     *
     * @return whether the entity was created
     * @throws IllegalArgumentException naming every broken rule or wrong value
     */
    boolean put(String type, String uuid, ObjectNode data);

    /**
     * Applies several writes in one transaction: all of them or, when one breaks a rule,
     * none.
     *
     * @throws IllegalArgumentException naming the first broken rule
     */
    void putAll(List<EntityWrite> writes);

    /**
     * Deletes a live entity on this node, with the entities whose types delete with it
     * (see {@link #deletedAlong}), in one transaction; the deletes reach every node.
     *
     * @throws IllegalArgumentException when there is no such live entity, or when a live
     *                                  entity refers to it through a reference that does
     *                                  not delete with it (the message says which)
     */
    void delete(String type, String uuid);

    /**
     * What {@link #delete} would delete along with an entity, for a person to confirm: the
     * live entities whose types delete with it ({@code deleteWith}), and theirs in turn.
     *
     * @return how many of each type, by type name (empty when nothing goes along)
     * @throws IllegalArgumentException when there is no such live entity, or when the delete
     *                                  would be refused: the message says what refers to it
     */
    Map<String, Integer> deletedAlong(String type, String uuid);

    /**
     * @return the entities of a type deleted on this node that it still holds, with their
     *         last state, the most recently deleted first (at most {@code limit})
     * @since 0.1
     */
    List<EntityRow> deleted(String type, int limit);

    /**
     * Brings a deleted entity back as a new entity with its last state (derived values
     * recomputed), together with the entities deleted along with it, each under a new uuid,
     * in one transaction; they reach every node as new entities. A delete itself stays final.
     *
     * @return the uuid of the restored entity
     * @throws IllegalArgumentException when there is no such deleted entity here, or when a
     *                                  rule refuses the restored state (the message says which)
     * @since 0.1
     */
    String restore(String type, String uuid);

    /** @return the entity's attributes by name, in wire form */
    ObjectNode serialize(SyncEntity entity);

    /**
     * Checks an entity against its domain rules, as a user interface does before saving.
     *
     * @return one message per broken rule; empty when valid
     */
    List<String> validate(SyncEntity entity);
}
