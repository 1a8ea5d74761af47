package org.trestle.sync.api.entity;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an attribute whose value every node computes itself (for example an estimate's
 * total from its items). It travels in {@code data} for readers, but an incoming value
 * is ignored, and recomputing it is not a change that is sent.
 *
 * @since 0.1
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Derived {
}
