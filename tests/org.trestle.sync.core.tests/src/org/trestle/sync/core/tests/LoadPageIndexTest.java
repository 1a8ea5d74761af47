package org.trestle.sync.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.testing.SyncTestNodes;

/**
 * The server's initial load reads a scoped type's pages through the index on the
 * reference and the uuid (on Derby an optimizer override in the statement): read from
 * the statements the server's Derby compiled while it served a load.
 */
class LoadPageIndexTest {

    private static final Pattern OVERRIDE = Pattern.compile("FROM (\\w+) --DERBY-PROPERTIES index=(\\w+)\\s");

    /** The table of {@link Task}. */
    private static final String TASKS = "TEST_TASK";

    private SyncTestNodes nodes;

    @BeforeEach
    void start() {
        nodes = SyncTestNodes.start(0, EngineSettings.defaults().withBatchSize(50));
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void theTasksOfALoadAreReadThroughTheIndexOnTheirSiteAndUuid() {
        SyncEngine server = nodes.server();
        SyncTestNodes.write(server, em -> {
            for (int s = 0; s < 4; s++) {
                Site site = new Site();
                site.setCode("IX-" + s);
                site.setName("Site " + s);
                em.persist(site);
                for (int t = 0; t < 30; t++) {
                    Task task = new Task();
                    task.setSite(site);
                    task.setTitle("Task " + s + "." + t);
                    em.persist(task);
                }
            }
            return null;
        });
        SyncEngine late = nodes.addClient("late");
        nodes.sync(late);
        assertEquals(120L, (long) late.read(em -> em.createQuery("select count(t) from Task t", Long.class)
                .getSingleResult()), "the load arrived whole");

        List<String> indexColumns = SyncTestNodes.write(server, em -> {
            Connection c = em.unwrap(Connection.class);
            String index = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT SQL_TEXT FROM SYSCS_DIAG.STATEMENT_CACHE");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Matcher m = OVERRIDE.matcher(rs.getString(1));
                    if (m.find() && m.group(1).equals(TASKS)) {
                        index = m.group(2);
                    }
                }
                assertNotNull(index, "a page of tasks was read through a named index");
                // the index's columns, in their order
                TreeMap<Short, String> columns = new TreeMap<>();
                try (ResultSet ix = c.getMetaData().getIndexInfo(null, null, TASKS, false, false)) {
                    while (ix.next()) {
                        if (index.equals(ix.getString("INDEX_NAME"))) {
                            columns.put(ix.getShort("ORDINAL_POSITION"), ix.getString("COLUMN_NAME"));
                        }
                    }
                }
                return new ArrayList<>(columns.values());
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(2, indexColumns.size(), "the index holds the reference and the uuid: " + indexColumns);
        assertEquals("SITE_UUID", indexColumns.get(0));
        assertEquals("UUID", indexColumns.get(1));
    }
}
