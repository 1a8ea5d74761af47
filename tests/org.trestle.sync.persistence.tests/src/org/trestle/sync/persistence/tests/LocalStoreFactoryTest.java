package org.trestle.sync.persistence.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;
import org.trestle.sync.persistence.BulkRows;
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

    private static final String KEY = "0123456789abcdef".repeat(4);

    /** @return whether any file of the database holds the text as written (UTF-8, or the UTF-16 of Derby's strings) */
    private boolean onDisk(String text) throws IOException {
        byte[][] forms = { text.getBytes(StandardCharsets.UTF_8),
                text.getBytes(StandardCharsets.UTF_16BE) };
        try (var files = Files.walk(dataDir.resolve("db"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(f);
                for (byte[] form : forms) {
                    for (int i = 0; i + form.length <= bytes.length; i++) {
                        if (Arrays.equals(bytes, i, i + form.length, form, 0, form.length)) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    @Test
    void aDatabaseOpenedWithAKeyKeepsNothingReadableOnDisk() throws IOException {
        String marker = "Rebar from the site hut";
        try (LocalStore store = factory.open(StoreDefinition.of(dataDir, List.of(CrateV1.class)).encrypted(KEY))) {
            inTransaction(store, em -> em.persist(new CrateV1("C-9", marker)));
        }
        assertFalse(onDisk(marker), "the row is not readable in the database files");
        assertTrue(Files.readString(dataDir.resolve("db/service.properties")).contains("dataEncryption=true"));
        assertTrue(Files.readString(dataDir.resolve("db/service.properties")).contains("derby.encryptionBlockSize=16"),
                "16-byte blocks: AES, never Derby's default DES (8-byte blocks)");
        try (LocalStore store = factory.open(StoreDefinition.of(dataDir, List.of(CrateV1.class)).encrypted(KEY))) {
            EntityManager em = store.entityManagerFactory().createEntityManager();
            assertEquals(marker, em.find(CrateV1.class, "C-9").getLabel(), "the key opens it again");
            em.close();
        }
        StoreException wrong = assertThrows(StoreException.class, () -> factory.open(StoreDefinition.of(dataDir,
                List.of(CrateV1.class)).encrypted("f".repeat(64))));
        assertTrue(wrong.getMessage().contains("encrypted with another key"), wrong.getMessage());
        assertFalse(wrong.getMessage().contains("ffffffff"), "the key is never in a message");
        assertThrows(StoreException.class, () -> factory.open(StoreDefinition.of(dataDir, List.of(CrateV1.class))),
                "without the key it does not open");
    }

    @Test
    void aPlainDatabaseIsEncryptedWhenFirstOpenedWithAKeyAndKeepsEveryRow() throws IOException {
        String marker = "Timber kept in plain files";
        try (LocalStore store = factory.open(StoreDefinition.of(dataDir, List.of(CrateV1.class)))) {
            inTransaction(store, em -> {
                for (int i = 0; i < 50; i++) {
                    em.persist(new CrateV1("P-" + i, marker + " " + i));
                }
            });
        }
        assertTrue(onDisk(marker), "before, the rows are readable on disk");
        try (LocalStore store = factory.open(StoreDefinition.of(dataDir, List.of(CrateV1.class)).encrypted(KEY))) {
            EntityManager em = store.entityManagerFactory().createEntityManager();
            assertEquals(50L, em.createQuery("select count(c) from CrateV1 c", Long.class).getSingleResult(),
                    "every row is kept");
            assertEquals(marker + " 7", em.find(CrateV1.class, "P-7").getLabel());
            em.close();
        }
        assertFalse(onDisk(marker), "after, nothing of them is readable on disk");
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

    /** Rows of TEST_CRATE for {@link LocalStore#insertInBulk}: codes B-from to B-(to - 1), then {@code also}. */
    private static BulkRows crates(int from, int to, String... also) {
        List<String> codes = new ArrayList<>();
        for (int i = from; i < to; i++) {
            codes.add("B-" + i);
        }
        codes.addAll(List.of(also));
        return new BulkRows() {
            int at = -1;

            @Override
            public boolean next() {
                return ++at < codes.size();
            }

            @Override
            public Object value(int column) {
                return switch (column) {
                    case 1 -> codes.get(at);
                    case 2 -> at % 7 == 0 ? null : "Crate " + at;
                    default -> new BigDecimal(at + ".125");
                };
            }
        };
    }

    @Test
    void rowsInsertedInBulkAreAllThereAndAnInsertBreakingAKeyLeavesNothing() {
        try (LocalStore store = factory.open(StoreDefinition.of(dataDir, List.of(CrateV2.class)))) {
            List<String> columns = List.of("CODE", "LABEL", "WEIGHT");
            inTransaction(store, em -> {
                try {
                    assertTrue(store.insertInBulk(em.unwrap(Connection.class), "TEST_CRATE", columns,
                            crates(0, 3_000)), "embedded Derby has a bulk way");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            EntityManager em = store.entityManagerFactory().createEntityManager();
            assertEquals(3_000L, em.createQuery("select count(c) from CrateV2 c", Long.class).getSingleResult());
            assertEquals(new BigDecimal("1234.125"), em.find(CrateV2.class, "B-1234").getWeight());
            assertNull(em.find(CrateV2.class, "B-0").getLabel(), "a null stays null");
            assertEquals("Crate 1", em.find(CrateV2.class, "B-1").getLabel());
            em.close();

            // into a table that holds rows, one of them again: refused, and nothing of it stays
            EntityManager tx = store.entityManagerFactory().createEntityManager();
            tx.getTransaction().begin();
            SQLException refused = assertThrows(SQLException.class, () -> store.insertInBulk(
                    tx.unwrap(Connection.class), "TEST_CRATE", columns, crates(3_000, 3_500, "B-17")));
            assertEquals("23505", refused.getSQLState(), refused.getMessage());
            tx.getTransaction().rollback();
            tx.close();
            EntityManager after = store.entityManagerFactory().createEntityManager();
            assertEquals(3_000L, after.createQuery("select count(c) from CrateV2 c", Long.class).getSingleResult());
            assertNull(after.find(CrateV2.class, "B-3000"));
            after.close();
        }
    }

    /**
     * A reference's own index (on its column alone) beside one on the reference and the
     * key: the query reads the one it names, and through the wider one needs no sort.
     */
    @Test
    void aQueryNamingTheTableThroughAnIndexReadsThatIndex() throws SQLException {
        try (LocalStore store = factory.open(StoreDefinition.of(dataDir, List.of(CrateV2.class)))) {
            inTransaction(store, em -> {
                Connection c = em.unwrap(Connection.class);
                try (var ps = c.prepareStatement("INSERT INTO TEST_CRATE (CODE, LABEL, WEIGHT) VALUES (?, ?, ?)");
                        var st = c.createStatement()) {
                    st.executeUpdate("CREATE INDEX TEST_CRATE_LABEL ON TEST_CRATE (LABEL)");
                    st.executeUpdate("CREATE INDEX TEST_CRATE_BY_LABEL ON TEST_CRATE (LABEL, CODE)");
                    for (int i = 0; i < 2_000; i++) {
                        ps.setString(1, "B-" + i);
                        ps.setString(2, "Shelf " + i % 20);
                        ps.setBigDecimal(3, BigDecimal.ONE);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals("TEST_CRATE", store.readThroughIndex("TEST_CRATE", "test_crate_by_label"),
                    "a name that is not plain upper case is left to the optimizer");
            List<String> expected = IntStream.range(0, 2_000).filter(i -> i % 20 == 7)
                    .mapToObj(i -> "B-" + i).filter(code -> code.compareTo("B-1500") > 0).sorted().toList();

            // the narrower index, which Derby picks for this query in some plans: read, then sorted
            List<String> narrow = new ArrayList<>();
            String narrowPlan = shelfSeven(store, store.readThroughIndex("TEST_CRATE", "TEST_CRATE_LABEL"), narrow);
            assertEquals(expected, narrow);
            assertTrue(narrowPlan.contains("using index TEST_CRATE_LABEL "), narrowPlan);
            assertTrue(narrowPlan.contains("Sort ResultSet"), narrowPlan);

            List<String> hinted = new ArrayList<>();
            String hintedPlan = shelfSeven(store, store.readThroughIndex("TEST_CRATE", "TEST_CRATE_BY_LABEL"), hinted);
            assertEquals(expected, hinted);
            assertTrue(hintedPlan.contains("using index TEST_CRATE_BY_LABEL"), hintedPlan);
            assertFalse(hintedPlan.contains("Sort ResultSet"), hintedPlan);
        }
    }

    /** Reads the codes on shelf 7 after B-1500 in code order, from the table as {@code from} names it; @return Derby's plan */
    private static String shelfSeven(LocalStore store, String from, List<String> codes) throws SQLException {
        EntityManager em = store.entityManagerFactory().createEntityManager();
        try {
            em.getTransaction().begin();
            Connection c = em.unwrap(Connection.class);
            try (var st = c.createStatement()) {
                st.execute("CALL SYSCS_UTIL.SYSCS_SET_RUNTIMESTATISTICS(1)");
            }
            try (var ps = c.prepareStatement("SELECT CODE FROM " + from
                    + " WHERE WEIGHT >= ? AND LABEL = ? AND CODE > ? ORDER BY CODE")) {
                ps.setBigDecimal(1, BigDecimal.ZERO);
                ps.setString(2, "Shelf 7");
                ps.setString(3, "B-1500");
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        codes.add(rs.getString(1));
                    }
                }
            }
            try (var st = c.createStatement(); var rs = st.executeQuery("VALUES SYSCS_UTIL.SYSCS_GET_RUNTIMESTATISTICS()")) {
                assertTrue(rs.next());
                return rs.getString(1);
            } finally {
                em.getTransaction().rollback();
            }
        } finally {
            em.close();
        }
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
