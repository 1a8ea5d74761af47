package org.trestle.sync.core.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.EntityManager;

import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.core.internal.EntityCodec.AttributeCodec;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;

/**
 * What a delete takes along: the live entities that refer to the deleted one through a
 * reference their type deletes with ({@code deleteWith}), and theirs in turn. A live
 * entity referring through any other reference refuses the delete, so that no entity is
 * left referring to a deleted one.
 */
final class Dependents {

    /** An entity deleted along with another. */
    record Taken(TypeCodec type, SyncEntity entity) {
    }

    private final EngineState state;

    Dependents(EngineState state) {
        this.state = state;
    }

    /**
     * @param refuse whether a live entity referring through a reference that does not
     *               delete with it refuses the delete (a client applying the master's
     *               delete takes it as it is)
     * @return the live entities deleted along with {@code root}, in the order found
     *         (parents before their children)
     * @throws ApplyException {@code has_dependents}, naming what refers to it, when refused
     */
    List<Taken> along(EntityManager em, TypeCodec tc, SyncEntity root, boolean refuse) {
        List<Taken> taken = new ArrayList<>();
        java.util.Set<String> uuids = new java.util.HashSet<>();
        uuids.add(root.getUuid());
        Map<String, Long> blockers = new LinkedHashMap<>();
        List<SyncEntity> blocking = new ArrayList<>();
        List<Taken> next = new ArrayList<>(List.of(new Taken(tc, root)));
        while (!next.isEmpty()) {
            Taken parent = next.remove(0);
            for (TypeCodec child : state.codec.types()) {
                for (AttributeCodec a : child.attributes()) {
                    if (a.reference() == null || !a.reference().isAssignableFrom(parent.type().info().type())) {
                        continue;
                    }
                    List<? extends SyncEntity> referring = em.createQuery("select e from " + state.entityName(child.info())
                            + " e where e.deleted = false and e." + a.name() + ".uuid = :p", child.info().type())
                            .setParameter("p", parent.entity().getUuid()).getResultList();
                    for (SyncEntity e : referring) {
                        if (child.info().deleteWith().contains(a.name())) {
                            if (uuids.add(e.getUuid())) {
                                Taken t = new Taken(child, e);
                                taken.add(t);
                                next.add(t);
                            }
                        } else {
                            blocking.add(e);
                            blockers.merge(child.info().label().toLowerCase(java.util.Locale.ROOT), 1L, Long::sum);
                        }
                    }
                }
            }
        }
        blocking.removeIf(e -> uuids.contains(e.getUuid()));
        if (refuse && !blocking.isEmpty()) {
            List<String> what = new ArrayList<>();
            blockers.forEach((label, n) -> what.add(n + " " + (n == 1 ? label : plural(label))));
            String title = tc.info().title(state.codec.serialize(root));
            throw new ApplyException("has_dependents", tc.info().label() + " " + (title.isEmpty() ? root.getUuid() : title)
                    + " cannot be deleted: " + String.join(" and ", what) + (blocking.size() == 1 ? " refers" : " refer")
                    + " to it");
        }
        return taken;
    }

    /** Deletes the entities taken along: each becomes a change of this node, for every node. */
    static void delete(List<Taken> taken) {
        for (Taken t : taken) {
            t.entity().setDeleted(true);
        }
    }

    private static String plural(String label) {
        return label.endsWith("s") ? label : label.endsWith("y") ? label.substring(0, label.length() - 1) + "ies"
                : label + "s";
    }
}
