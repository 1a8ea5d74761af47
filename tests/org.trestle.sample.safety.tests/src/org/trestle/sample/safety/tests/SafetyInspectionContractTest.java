package org.trestle.sample.safety.tests;

import java.time.LocalDate;

import jakarta.persistence.EntityManager;

import org.trestle.construction.Project;
import org.trestle.sample.safety.SafetyInspection;
import org.trestle.sync.testing.EntityTypeContract;

/**
 * The sample plugin, written as docs/plugin-authors.md says, meets the contract: it is
 * stored, synchronized between two clients and the server, deleted for good, and its
 * concurrent edits become open conflicts a person resolves.
 */
class SafetyInspectionContractTest extends EntityTypeContract<SafetyInspection> {

    @Override
    protected String entityType() {
        return "SafetyInspection";
    }

    @Override
    protected SafetyInspection create(EntityManager em) {
        Project project = new Project();
        project.setCode("S-" + System.nanoTime() % 1_000_000_000);
        project.setName("School extension");
        em.persist(project);
        SafetyInspection inspection = new SafetyInspection();
        inspection.setProject(project);
        inspection.setInspector("R. Okafor");
        inspection.setInspectedOn(LocalDate.of(2026, 11, 25));
        em.persist(inspection);
        return inspection;
    }

    @Override
    protected void modify(SafetyInspection inspection, int variant) {
        inspection.setFindings("Guard rail on level " + variant + " missing");
    }
}
