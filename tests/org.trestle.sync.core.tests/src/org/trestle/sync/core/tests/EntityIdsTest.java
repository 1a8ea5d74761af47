package org.trestle.sync.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.trestle.sync.api.entity.EntityIds;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.testing.SyncTestNodes;

/** New entities get time-ordered identities: later ones sort after earlier ones. */
class EntityIdsTest {

    private static SyncTestNodes nodes;
    private static SyncEngine client;

    @BeforeAll
    static void start() {
        nodes = SyncTestNodes.start(1);
        client = nodes.client(0);
    }

    @AfterAll
    static void stop() {
        nodes.close();
    }

    @Test
    void identitiesAreVersion7UniqueAndInOrderOfMaking() throws Exception {
        int threads = 4;
        int each = 50_000;
        long before = System.currentTimeMillis();
        ConcurrentLinkedQueue<List<String>> made = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                List<String> mine = new ArrayList<>(each);
                for (int i = 0; i < each; i++) {
                    mine.add(EntityIds.newUuid());
                }
                made.add(mine);
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        long after = System.currentTimeMillis();
        Set<String> all = new HashSet<>();
        for (List<String> mine : made) {
            for (int i = 0; i < mine.size(); i++) {
                String id = mine.get(i);
                UUID parsed = UUID.fromString(id);
                assertEquals(id, parsed.toString(), "canonical lowercase form");
                assertEquals(7, parsed.version());
                assertEquals(2, parsed.variant());
                long millis = parsed.getMostSignificantBits() >>> 16;
                // the counter of 4,096 per millisecond may run the time ahead, never back
                assertTrue(millis >= before && millis <= after + (long) threads * each / 4096 + 1,
                        id + " carries the time it was made");
                if (i > 0) {
                    assertTrue(mine.get(i - 1).compareTo(id) < 0, "made later, sorts later: " + mine.get(i - 1) + ", " + id);
                }
                all.add(id);
            }
        }
        assertEquals(threads * each, all.size(), "no identity is made twice");
    }

    @Test
    void entitiesPersistedTogetherAreNumberedInTheOrderTheyWerePersisted() {
        List<String> uuids = SyncTestNodes.write(client, em -> {
            List<String> ids = new ArrayList<>();
            List<Site> sites = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Site s = new Site();
                s.setCode("ID-" + i);
                s.setName("Site " + i);
                s.setBudget(new BigDecimal("10.00"));
                em.persist(s);
                sites.add(s);
            }
            for (Site s : sites) {
                ids.add(s.getUuid());
            }
            return ids;
        });
        for (int i = 1; i < uuids.size(); i++) {
            assertEquals(7, UUID.fromString(uuids.get(i)).version());
            assertTrue(uuids.get(i - 1).compareTo(uuids.get(i)) < 0, "persisted later, sorts later");
        }
        List<String> stored = client.read(em -> em.createQuery(
                "select s.uuid from Site s where s.code like 'ID-%' order by s.uuid", String.class).getResultList());
        assertEquals(uuids, stored, "stored in the order of making");
    }
}
