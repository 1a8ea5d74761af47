package org.trestle.construction.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.trestle.construction.Estimate;
import org.trestle.construction.EstimateItem;
import org.trestle.construction.Project;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.testing.SyncTestNodes;

/**
 * A project's estimates and their items are deleted with it, on every node, in one change
 * set; estimates a node never held are deleted too, so that no estimate is left referring
 * to a deleted project anywhere.
 */
class DeleteWithDependentsTest {

    private static SyncTestNodes nodes;
    private static SyncEngine a;
    private static SyncEngine b;

    @BeforeAll
    static void start() {
        nodes = SyncTestNodes.start(2);
        a = nodes.client(0);
        b = nodes.client(1);
    }

    @AfterAll
    static void stop() {
        nodes.close();
    }

    private static String estimate(SyncEngine node, String project, String number, int items) {
        return SyncTestNodes.write(node, em -> {
            Estimate e = new Estimate();
            e.setProject(em.find(Project.class, project));
            e.setNumber(number);
            e.setTitle("Estimate " + number);
            em.persist(e);
            for (int i = 1; i <= items; i++) {
                EstimateItem item = new EstimateItem();
                item.setEstimate(e);
                item.setPosition(i);
                item.setDescription("Line " + i);
                item.setUnit("m2");
                item.setQuantity(BigDecimal.ONE);
                item.setUnitPrice(BigDecimal.TEN);
                em.persist(item);
            }
            return e.getUuid();
        });
    }

    /** @return how many live estimates and items of a project a node holds */
    private static long live(SyncEngine node, String project) {
        return node.read(em -> em.createQuery("select count(e) from Estimate e where e.deleted = false"
                + " and e.project.uuid = :p", Long.class).setParameter("p", project).getSingleResult()
                + em.createQuery("select count(i) from EstimateItem i where i.deleted = false"
                        + " and i.estimate.project.uuid = :p", Long.class).setParameter("p", project).getSingleResult());
    }

    @Test
    void aProjectsEstimatesAndItemsGoWithItEverywhereEvenThoseTheDeleterNeverHeld() {
        String project = SyncTestNodes.write(a, em -> {
            Project p = new Project();
            p.setCode("DEL-1");
            p.setName("Demolished");
            em.persist(p);
            return p.getUuid();
        });
        estimate(a, project, "E-1", 3);
        estimate(a, project, "E-2", 2);
        nodes.syncAll();
        // B adds an estimate A has not received when it deletes the project
        estimate(b, project, "E-3", 4);
        nodes.sync(b);

        Map<String, Integer> along = a.entities().deletedAlong("Project", project);
        assertEquals(Map.of("Estimate", 2, "EstimateItem", 5), along, "what A is asked to confirm");
        a.entities().delete("Project", project);
        assertEquals(0, live(a, project), "deleted with the project, in one transaction");

        nodes.syncAll();
        for (SyncEngine node : List.of(nodes.server(), a, b)) {
            assertTrue(node.read(em -> em.find(Project.class, project).isDeleted()));
            assertEquals(0, live(node, project), "no estimate or item of the deleted project is live on " + node.self().code());
        }
        nodes.assertConverged();
    }

    @Test
    void aDeletedProjectIsRestoredWithWhatWentWithItAsNewRecordsOnEveryNode() throws Exception {
        String project = SyncTestNodes.write(a, em -> {
            Project p = new Project();
            p.setCode("RES-1");
            p.setName("Back again");
            em.persist(p);
            return p.getUuid();
        });
        String kept = estimate(a, project, "E-1", 2);
        String removedEarlier = estimate(a, project, "E-2", 1);
        nodes.syncAll();
        a.entities().delete("Estimate", removedEarlier); // deleted on its own, before the project
        Thread.sleep(2000 + 500);
        a.entities().delete("Project", project);
        nodes.syncAll();

        assertEquals(project, a.entities().deleted("Project", 10).get(0).uuid(), "the most recently deleted first");
        String restored = a.entities().restore("Project", project);
        assertNotEquals(project, restored, "a delete stays final: the project comes back as a new one");
        assertThrows(IllegalArgumentException.class, () -> a.entities().restore("Project", restored), "only a deleted one");
        nodes.syncAll();
        for (SyncEngine node : List.of(nodes.server(), a, b)) {
            assertEquals("RES-1 Back again", node.read(em -> {
                Project p = em.find(Project.class, restored);
                return p.getCode() + " " + p.getName();
            }));
            List<Estimate> estimates = node.read(em -> em.createQuery("select e from Estimate e where e.deleted = false"
                    + " and e.project.uuid = :p", Estimate.class).setParameter("p", restored).getResultList());
            assertEquals(List.of("E-1"), estimates.stream().map(Estimate::getNumber).toList(),
                    "the estimate deleted with the project comes back, the one deleted before it does not");
            assertNotEquals(kept, estimates.get(0).getUuid());
            assertEquals(0, new BigDecimal("20.00").compareTo(estimates.get(0).getTotal()),
                    "its items came back with it, and its total was computed from them");
            assertTrue(node.read(em -> em.find(Project.class, project).isDeleted()), "the old project stays deleted");
        }
        nodes.assertConverged();
    }
}
