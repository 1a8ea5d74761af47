package org.trestle.construction.tests;

import java.math.BigDecimal;

import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.Nested;
import org.trestle.construction.Estimate;
import org.trestle.construction.EstimateItem;
import org.trestle.construction.Project;
import org.trestle.resources.Material;
import org.trestle.sync.testing.EntityTypeContract;

/** Every shipped entity type meets the plugin authors' contract. */
class DomainContractTest {

    static Project project(EntityManager em) {
        Project p = new Project();
        p.setCode("P-" + System.nanoTime() % 1_000_000_000);
        p.setName("Harbour bridge");
        em.persist(p);
        return p;
    }

    static Estimate estimate(EntityManager em) {
        Estimate e = new Estimate();
        e.setProject(project(em));
        e.setNumber("E-1");
        e.setTitle("Foundations");
        em.persist(e);
        return e;
    }

    @Nested
    class ProjectContract extends EntityTypeContract<Project> {
        @Override protected String entityType() { return "Project"; }
        @Override protected Project create(EntityManager em) { return project(em); }
        @Override protected void modify(Project p, int variant) { p.setName("Renamed " + variant); }
    }

    @Nested
    class EstimateContract extends EntityTypeContract<Estimate> {
        @Override protected String entityType() { return "Estimate"; }
        @Override protected Estimate create(EntityManager em) { return estimate(em); }
        @Override protected void modify(Estimate e, int variant) { e.setTitle("Revised " + variant); }
    }

    @Nested
    class EstimateItemContract extends EntityTypeContract<EstimateItem> {
        @Override protected String entityType() { return "EstimateItem"; }
        @Override protected EstimateItem create(EntityManager em) {
            EstimateItem i = new EstimateItem();
            i.setEstimate(estimate(em));
            i.setDescription("Concrete C30/37");
            i.setUnit("m3");
            i.setQuantity(new BigDecimal("12.500"));
            i.setUnitPrice(new BigDecimal("95.00"));
            em.persist(i);
            return i;
        }
        @Override protected void modify(EstimateItem i, int variant) { i.setQuantity(new BigDecimal(variant + "0.000")); }
    }

    @Nested
    class MaterialContract extends EntityTypeContract<Material> {
        @Override protected String entityType() { return "Material"; }
        @Override protected Material create(EntityManager em) {
            Material m = new Material();
            m.setCode("M-" + System.nanoTime() % 1_000_000_000);
            m.setName("Rebar B500B 12 mm");
            m.setUnit("kg");
            m.setUnitPrice(new BigDecimal("1.15"));
            em.persist(m);
            return m;
        }
        @Override protected void modify(Material m, int variant) { m.setUnitPrice(new BigDecimal(variant + ".25")); }
    }
}
