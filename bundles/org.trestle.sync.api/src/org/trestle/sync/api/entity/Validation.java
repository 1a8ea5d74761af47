package org.trestle.sync.api.entity;

/**
 * What an entity may ask while it validates itself: questions about other entities of
 * its type. Deleted entities and the entity itself never count.
 *
 * @since 0.1
 */
public interface Validation {

    /** @return whether no other live entity of this type has this value of the attribute */
    boolean isUnique(String attribute, Object value);

    /**
     * @return whether no other live entity of this type with the same value of
     *         {@code scopeAttribute} has this value of the attribute (for example an
     *         estimate number, unique within its project)
     */
    boolean isUniqueWithin(String attribute, Object value, String scopeAttribute, Object scopeValue);
}
