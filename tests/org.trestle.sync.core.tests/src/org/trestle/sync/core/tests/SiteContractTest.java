package org.trestle.sync.core.tests;

import jakarta.persistence.EntityManager;

import org.trestle.sync.testing.EntityTypeContract;

/** The plugin author's contract, run for a server_wins type. */
class SiteContractTest extends EntityTypeContract<Site> {
    @Override
    protected String entityType() {
        return "Site";
    }

    @Override
    protected Site create(EntityManager em) {
        Site s = new Site();
        s.setCode("S-" + System.nanoTime() % 100000);
        s.setName("Harbour office");
        em.persist(s);
        return s;
    }

    @Override
    protected void modify(Site entity, int variant) {
        entity.setName("Renamed " + variant);
    }
}
