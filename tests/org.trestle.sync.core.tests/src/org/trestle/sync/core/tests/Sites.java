package org.trestle.sync.core.tests;

import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.testing.SyncTestNodes;

/** Test data written on a node through plain JPA, as any code of a plugin would. */
final class Sites {

    private Sites() {
    }

    /** @return the uuid of a new site */
    static String site(SyncEngine node, String code) {
        return SyncTestNodes.write(node, em -> {
            Site s = new Site();
            s.setCode(code);
            s.setName("Site " + code);
            em.persist(s);
            return s.getUuid();
        });
    }

    /** @return the uuid of a new task of the site */
    static String task(SyncEngine node, String siteUuid, String title) {
        return SyncTestNodes.write(node, em -> {
            Task t = new Task();
            t.setSite(em.find(Site.class, siteUuid));
            t.setTitle(title);
            em.persist(t);
            return t.getUuid();
        });
    }
}
