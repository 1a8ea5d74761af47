package org.trestle.sync.persistence.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;
import org.trestle.sync.persistence.LocalStore;
import org.trestle.sync.persistence.LocalStoreFactory;
import org.trestle.sync.persistence.StoreDefinition;
import org.trestle.sync.persistence.StoreException;

/** The local store service, on real embedded Derby inside the OSGi runtime. */
class LocalStoreFactoryTest {

    private static LocalStoreFactory factory;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void findService() throws InterruptedException {
        var context = FrameworkUtil.getBundle(LocalStoreFactoryTest.class).getBundleContext();
        ServiceTracker<LocalStoreFactory, LocalStoreFactory> tracker = new ServiceTracker<>(context, LocalStoreFactory.class, null);
        tracker.open();
        factory = tracker.waitForService(30_000);
        assertNotNull(factory, "LocalStoreFactory service was not registered by Declarative Services");
    }

    @Test
    void dataSurvivesClosingAndReopening() {
        try (LocalStore store = factory.open(StoreDefinition.of(dataDir, List.of(CrateV1.class)))) {
            assertTrue(store.databaseDescription().startsWith("Apache Derby"), store.databaseDescription());
            inTransaction(store, em -> em.persist(new CrateV1("C-1", "Rebar")));
        }
        try (LocalStore store = factory.open(StoreDefinition.of(dataDir, List.of(CrateV1.class)))) {
            EntityManager em = store.entityManagerFactory().createEntityManager();
            assertEquals("Rebar", em.find(CrateV1.class, "C-1").getLabel());
            assertEquals(1L, em.createQuery("select count(c) from CrateV1 c", Long.class).getSingleResult());
            em.close();
        }
    }

    @Test
    void tablesAreExtendedWhenAnEntityGainsAnAttribute() {
        try (LocalStore store = factory.open(StoreDefinition.of(dataDir, List.of(CrateV1.class)))) {
            inTransaction(store, em -> em.persist(new CrateV1("C-2", "Timber")));
        }
        try (LocalStore store = factory.open(StoreDefinition.of(dataDir, List.of(CrateV2.class)))) {
            EntityManager em = store.entityManagerFactory().createEntityManager();
            CrateV2 old = em.find(CrateV2.class, "C-2");
            assertEquals("Timber", old.getLabel(), "rows written before the change are kept");
            assertNull(old.getWeight());
            em.close();
            inTransaction(store, tx -> tx.find(CrateV2.class, "C-2").setWeight(new BigDecimal("12.500")));
            EntityManager check = store.entityManagerFactory().createEntityManager();
            assertEquals(new BigDecimal("12.500"), check.find(CrateV2.class, "C-2").getWeight());
            check.close();
        }
    }

    @Test
    void closingShutsTheDatabaseDownAndReleasesItsLock() {
        LocalStore store = factory.open(StoreDefinition.of(dataDir, List.of(CrateV1.class)));
        Path lock = dataDir.resolve("db").resolve("db.lck");
        assertTrue(Files.exists(lock), "a booted Derby database holds db.lck");
        store.close();
        assertFalse(store.isOpen());
        assertFalse(Files.exists(lock), "a cleanly shut down database leaves no lock behind");
        assertThrows(StoreException.class, store::entityManagerFactory);
    }

    @Test
    void aDirectoryOpenTwiceInOneProcessIsRefused() {
        try (LocalStore store = factory.open(StoreDefinition.of(dataDir, List.of(CrateV1.class)))) {
            StoreException e = assertThrows(StoreException.class,
                    () -> factory.open(StoreDefinition.of(dataDir, List.of(CrateV1.class))));
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
            assertTrue(store.isOpen(), "the first store stays usable");
        }
    }

    @Test
    void anUnusableDirectoryGivesAClearError() throws IOException {
        Path file = Files.writeString(dataDir.resolve("not-a-directory"), "x");
        StoreException e = assertThrows(StoreException.class,
                () -> factory.open(StoreDefinition.of(file.resolve("data"), List.of(CrateV1.class))));
        assertTrue(e.getMessage().contains("cannot be created"), e.getMessage());
    }

    @Test
    void aStoreNeedsEntityClasses() {
        assertThrows(StoreException.class, () -> factory.open(StoreDefinition.of(dataDir, List.of())));
    }

    private static void inTransaction(LocalStore store, Consumer<EntityManager> work) {
        EntityManager em = store.entityManagerFactory().createEntityManager();
        try {
            em.getTransaction().begin();
            work.accept(em);
            em.getTransaction().commit();
        } finally {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
            em.close();
        }
    }
}
