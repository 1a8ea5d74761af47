package org.trestle.sync.core.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.persistence.metamodel.Attribute;
import jakarta.persistence.metamodel.Metamodel;
import jakarta.persistence.metamodel.SingularAttribute;

import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.core.internal.EntityCodec.AttributeCodec;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;

/**
 * Which scope root each entity belongs to, as the entity types declared it: a root type's
 * entity is its own root, a scoped type's entity belongs to the root its parent belongs to
 * (through the required reference it is scoped by), a global type's belongs to none.
 */
final class ScopeTree {

    private final Map<String, AttributeCodec> parent = new LinkedHashMap<>();
    private final Map<String, String> path = new LinkedHashMap<>();
    private final Set<String> roots = new HashSet<>();
    private final List<TypeCodec> scoped = new ArrayList<>();
    private final EntityCodec codec;

    /** @throws IllegalStateException for a declaration whose chain does not end at a root type */
    ScopeTree(EntityCodec codec, Metamodel metamodel) {
        this.codec = codec;
        for (TypeCodec t : codec.types()) {
            if (t.info().scopeRoot()) {
                roots.add(t.info().name());
            }
        }
        for (TypeCodec t : codec.types()) {
            String by = t.info().scopedBy();
            if (by == null) {
                continue;
            }
            AttributeCodec a = t.byName().get(by);
            if (a == null || a.reference() == null) {
                throw new IllegalStateException("entity type " + t.info().name() + " is scoped by '" + by
                        + "', which is not a reference to another synchronized entity");
            }
            Attribute<?, ?> attribute = metamodel.entity(t.info().type()).getAttribute(by);
            if (attribute instanceof SingularAttribute<?, ?> single && single.isOptional()) {
                throw new IllegalStateException("entity type " + t.info().name() + " is scoped by '" + by
                        + "', which must be a required reference (optional = false)");
            }
            parent.put(t.info().name(), a);
        }
        for (TypeCodec t : codec.types()) {
            if (t.info().global()) {
                continue;
            }
            StringBuilder p = new StringBuilder("e");
            Set<String> seen = new HashSet<>();
            TypeCodec at = t;
            while (!at.info().scopeRoot()) {
                if (!seen.add(at.info().name())) {
                    throw new IllegalStateException("the scope chain of " + t.info().name() + " is a cycle");
                }
                AttributeCodec a = parent.get(at.info().name());
                TypeCodec next = a == null ? null : codec.typeOf(a.reference());
                if (next == null || next.info().global()) {
                    throw new IllegalStateException("the scope chain of " + t.info().name() + " does not end at a scope"
                            + " root type (" + at.info().name() + " leads to a global or unknown type)");
                }
                p.append('.').append(a.name());
                at = next;
            }
            path.put(t.info().name(), p.append(".uuid").toString());
            scoped.add(t);
        }
    }

    /** @return whether any type is scoped: without scopes every node receives everything */
    boolean any() {
        return !roots.isEmpty();
    }

    boolean isRoot(String type) {
        return roots.contains(type);
    }

    boolean isScoped(String type) {
        return path.containsKey(type);
    }

    /** @return the JPQL path from an entity alias {@code e} of the type to its root's uuid, e.g. {@code e.estimate.project.uuid} */
    String rootPath(String type) {
        return path.get(type);
    }

    /**
     * @return the JPQL path from an entity alias {@code e} of type {@code type} to its
     *         ancestor of type {@code ancestor} (e.g. {@code e.estimate}), or {@code null}
     *         when that type is not among its ancestors
     */
    String pathTo(String type, String ancestor) {
        StringBuilder p = new StringBuilder("e");
        String at = type;
        for (int depth = 0; depth < 64 && at != null; depth++) {
            AttributeCodec a = parent.get(at);
            if (a == null) {
                return null;
            }
            p.append('.').append(a.name());
            at = codecName(a);
            if (at.equals(ancestor)) {
                return p.toString();
            }
        }
        return null;
    }

    /** @return the attribute through which the type is scoped, or {@code null} */
    AttributeCodec parentOf(String type) {
        return parent.get(type);
    }

    /** @return the root and scoped types, parents first */
    List<TypeCodec> scopedTypes() {
        return scoped;
    }

    /** @return the uuid of the root the entity belongs to, or {@code null} for a global type's entity */
    String rootOf(TypeCodec type, SyncEntity entity) {
        String name = type.info().name();
        if (!path.containsKey(name)) {
            return null;
        }
        SyncEntity at = entity;
        String atType = name;
        for (int depth = 0; at != null && depth < 64; depth++) {
            if (roots.contains(atType)) {
                return at.getUuid();
            }
            AttributeCodec a = parent.get(atType);
            try {
                at = (SyncEntity) a.field().get(at);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            atType = at == null ? null : codecName(a);
        }
        return null;
    }

    private String codecName(AttributeCodec a) {
        return codec.typeOf(a.reference()).info().name();
    }
}
