package org.trestle.sync.persistence.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;

import org.eclipse.persistence.config.PersistenceUnitProperties;
import org.eclipse.persistence.jpa.PersistenceProvider;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.persistence.LocalStore;
import org.trestle.sync.persistence.LocalStoreFactory;
import org.trestle.sync.persistence.StoreDefinition;
import org.trestle.sync.persistence.StoreException;

/**
 * Opens EclipseLink persistence units over embedded Derby databases, or over PostgreSQL
 * when the definition names a database server. The unit is assembled in
 * code from the classes in the {@link StoreDefinition}, so entity classes may live in any
 * bundle. Tables are created or extended to fit the classes on every open.
 */
@Component(service = LocalStoreFactory.class)
public final class EclipseLinkStoreFactory implements LocalStoreFactory {

    private static final Logger LOG = LoggerFactory.getLogger(EclipseLinkStoreFactory.class);

    private final EmbeddedDerby derby = new EmbeddedDerby();
    private final PostgreSqlDatabase postgreSql = new PostgreSqlDatabase();
    private final Set<Store> open = ConcurrentHashMap.newKeySet();

    @Override
    public LocalStore open(StoreDefinition definition) {
        Path directory = definition.directory();
        if (definition.entityClasses().isEmpty()) {
            throw new StoreException("A store needs at least one entity class");
        }
        Database engine = definition.server() == null ? derby : postgreSql;
        for (Store store : open) {
            if (store.directory().equals(directory) && store.engine == engine) {
                throw new StoreException("The data directory " + directory + " is already open in this process");
            }
        }
        prepareDirectory(directory);
        DataSource dataSource = engine.open(definition);
        try {
            EntityManagerFactory emf = createFactory(definition, dataSource, engine);
            Store store = new Store(directory, emf, engine, dataSource);
            open.add(store);
            return store;
        } catch (PersistenceException | IllegalArgumentException e) {
            engine.shutdown(dataSource, directory);
            throw new StoreException("Could not set up the database " + (definition.server() == null ? "in " + directory
                    : definition.server().url()) + ": " + rootMessage(e), e);
        }
    }

    @Override
    public Map<String, Long> copy(StoreDefinition from, StoreDefinition to) {
        try (Store source = (Store) open(from); Store target = (Store) open(to)) {
            // the target's tables exist now, as the unit's mapping makes them
            return TableCopy.copy(source.dataSource, target.dataSource);
        }
    }

    @Deactivate
    void deactivate() {
        for (Store store : List.copyOf(open)) {
            store.close();
        }
    }

    private static void prepareDirectory(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new StoreException("The data directory " + directory + " cannot be created: " + e.getMessage(), e);
        }
        if (!Files.isWritable(directory)) {
            throw new StoreException("The data directory " + directory + " is not writable");
        }
    }

    private EntityManagerFactory createFactory(StoreDefinition definition, DataSource dataSource, Database engine) {
        List<String> classNames = new ArrayList<>();
        for (Class<?> type : definition.entityClasses()) {
            classNames.add(type.getName());
        }
        ClassLoader loader = new ContributedClassLoader(definition.entityClasses(),
                PersistenceProvider.class.getClassLoader());

        Map<String, Object> settings = new HashMap<>();
        settings.put(PersistenceUnitProperties.WEAVING, "false");
        settings.put(PersistenceUnitProperties.TARGET_DATABASE, engine.eclipseLinkTarget());
        settings.put(PersistenceUnitProperties.DDL_GENERATION, PersistenceUnitProperties.CREATE_OR_EXTEND);
        settings.put(PersistenceUnitProperties.DDL_GENERATION_MODE, PersistenceUnitProperties.DDL_DATABASE_GENERATION);
        settings.put(PersistenceUnitProperties.LOGGING_LEVEL, "WARNING");
        // inserts and updates of one flush go to the database in JDBC batches
        settings.put(PersistenceUnitProperties.BATCH_WRITING, "JDBC");
        settings.put(PersistenceUnitProperties.BATCH_WRITING_SIZE, "500");
        // extending existing tables re-issues constraints the database refuses as duplicates: harmless,
        // so DDL talk stays out of the log; everything else goes to a file in the data directory
        settings.put(PersistenceUnitProperties.CATEGORY_LOGGING_LEVEL_ + "ddl", "OFF");
        settings.put(PersistenceUnitProperties.LOGGING_FILE, definition.directory().resolve("eclipselink.log").toString());
        settings.put(PersistenceUnitProperties.CLASSLOADER, loader);
        settings.put(PersistenceUnitProperties.NON_JTA_DATASOURCE, dataSource);
        settings.putAll(engine.unitProperties());
        settings.putAll(definition.properties());

        Properties unitProperties = new Properties();
        definition.properties().forEach(unitProperties::setProperty);
        AssembledPersistenceUnit unit = new AssembledPersistenceUnit(
                "trestle-" + Integer.toHexString(definition.directory().hashCode()), List.copyOf(classNames),
                dataSource, loader, unitProperties, rootUrl(definition.directory()));
        EntityManagerFactory emf = new PersistenceProvider().createContainerEntityManagerFactory(unit, settings);
        // EclipseLink deploys lazily; deploying now reports mapping and DDL problems here
        emf.createEntityManager().close();
        return emf;
    }

    /** EclipseLink names the unit after its root; the data directory makes it unique. */
    private static java.net.URL rootUrl(Path directory) {
        try {
            return directory.toUri().toURL();
        } catch (java.net.MalformedURLException e) {
            throw new StoreException("The data directory " + directory + " has no URL form: " + e.getMessage(), e);
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    private final class Store implements LocalStore {
        private final Path directory;
        private final EntityManagerFactory emf;
        private final String description;
        private final Database engine;
        private final DataSource dataSource;
        private volatile boolean isOpen = true;
        private final Set<AutoCloseable> listeners = ConcurrentHashMap.newKeySet();

        Store(Path directory, EntityManagerFactory emf, Database engine, DataSource dataSource) {
            this.directory = directory;
            this.emf = emf;
            this.engine = engine;
            this.description = engine.describe(dataSource);
            this.dataSource = dataSource;
        }

        @Override
        public Path backup(Path targetDirectory) {
            if (!isOpen) {
                throw new StoreException("The store in " + directory + " is closed");
            }
            return engine.backup(dataSource, directory, targetDirectory);
        }

        @Override
        public Path databaseFolder() {
            return EmbeddedDerby.databaseFolder(directory);
        }

        @Override
        public EntityManagerFactory entityManagerFactory() {
            if (!isOpen) {
                throw new StoreException("The store in " + directory + " is closed");
            }
            return emf;
        }

        @Override
        public Path directory() {
            return directory;
        }

        @Override
        public String databaseDescription() {
            return description;
        }

        @Override
        public boolean sharedByProcesses() {
            return engine.sharedByProcesses();
        }

        @Override
        public void signal(java.sql.Connection connection, String channel) throws java.sql.SQLException {
            engine.signal(connection, channel);
        }

        @Override
        public boolean insertInBulk(java.sql.Connection connection, String table, List<String> columns,
                org.trestle.sync.persistence.BulkRows rows) throws java.sql.SQLException {
            return engine.insertInBulk(connection, table, columns, rows);
        }

        @Override
        public String readThroughIndex(String table, String index) {
            return engine.readThroughIndex(table, index);
        }

        @Override
        public AutoCloseable listen(String channel, Runnable onSignal) {
            AutoCloseable listening = engine.listen(dataSource, channel, onSignal);
            listeners.add(listening);
            return () -> {
                listeners.remove(listening);
                listening.close();
            };
        }

        @Override
        public boolean isOpen() {
            return isOpen;
        }

        @Override
        public synchronized void close() {
            if (!isOpen) {
                return;
            }
            isOpen = false;
            open.remove(this);
            for (AutoCloseable listening : List.copyOf(listeners)) {
                try {
                    listening.close();
                } catch (Exception e) {
                    LOG.warn("A listener did not stop: {}", e.getMessage());
                }
            }
            try {
                if (emf.isOpen()) {
                    emf.close();
                }
            } finally {
                try {
                    engine.shutdown(dataSource, directory);
                } catch (StoreException e) {
                    LOG.error(e.getMessage(), e);
                }
            }
        }
    }
}
