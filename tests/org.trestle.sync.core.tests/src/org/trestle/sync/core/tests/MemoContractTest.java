package org.trestle.sync.core.tests;

import jakarta.persistence.EntityManager;

import org.trestle.sync.testing.EntityTypeContract;

/** The plugin author's contract, run for a manual type with a reference. */
class MemoContractTest extends EntityTypeContract<Memo> {
    @Override
    protected String entityType() {
        return "Memo";
    }

    @Override
    protected Memo create(EntityManager em) {
        Site s = new Site();
        s.setCode("M-" + System.nanoTime() % 100000);
        s.setName("Depot");
        em.persist(s);
        Memo m = new Memo();
        m.setSite(s);
        m.setText("Check scaffolding");
        em.persist(m);
        return m;
    }

    @Override
    protected void modify(Memo entity, int variant) {
        entity.setText("Revised " + variant);
    }
}
