package org.trestle.sync.core.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.trestle.sync.api.DatabaseServer;
import org.trestle.sync.api.EngineSettings;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncEngineFactory;
import org.trestle.sync.persistence.LocalStore;
import org.trestle.sync.persistence.LocalStoreFactory;
import org.trestle.sync.persistence.StoreDefinition;

/**
 * Opens node databases whose persistence unit holds every contributed entity type plus
 * the sync tables. Engines it opened are closed when the service goes away.
 */
@Component(service = SyncEngineFactory.class)
public final class SyncEngineFactoryComponent implements SyncEngineFactory {

    private final LocalStoreFactory stores;
    private final EntityCatalog catalog;
    private final Set<SyncEngine> open = ConcurrentHashMap.newKeySet();

    @Activate
    public SyncEngineFactoryComponent(@Reference LocalStoreFactory stores, @Reference EntityCatalog catalog) {
        this.stores = stores;
        this.catalog = catalog;
    }

    @Override
    public SyncEngine open(Path dataDirectory, EngineSettings settings) {
        return open(dataDirectory, settings, (String) null);
    }

    @Override
    public SyncEngine open(Path dataDirectory, EngineSettings settings, List<EntityTypeInfo> types) {
        List<Class<?>> classes = new ArrayList<>(NodeEngine.SYNC_TABLES);
        types.forEach(t -> classes.add(t.type()));
        return open(settings, StoreDefinition.of(dataDirectory, classes), List.copyOf(types));
    }

    @Override
    public SyncEngine open(Path dataDirectory, EngineSettings settings, String encryptionKey) {
        return open(settings, definition(dataDirectory, settings).encrypted(encryptionKey));
    }

    @Override
    public SyncEngine open(Path dataDirectory, EngineSettings settings, DatabaseServer database) {
        return open(settings, definition(dataDirectory, settings).on(persistence(database)));
    }

    @Override
    public java.util.Map<String, Long> copy(Path dataDirectory, EngineSettings settings, DatabaseServer to) {
        StoreDefinition from = definition(dataDirectory, settings);
        return stores.copy(from, from.on(persistence(to)));
    }

    private static org.trestle.sync.persistence.DatabaseServer persistence(DatabaseServer d) {
        return new org.trestle.sync.persistence.DatabaseServer(d.url(), d.user(), d.password());
    }

    private StoreDefinition definition(Path dataDirectory, EngineSettings settings) {
        List<Class<?>> classes = new ArrayList<>(NodeEngine.SYNC_TABLES);
        catalog.types(settings.defaultStrategy()).forEach(t -> classes.add(t.type()));
        return StoreDefinition.of(dataDirectory, classes);
    }

    private SyncEngine open(EngineSettings settings, StoreDefinition definition) {
        return open(settings, definition, catalog.types(settings.defaultStrategy()));
    }

    private SyncEngine open(EngineSettings settings, StoreDefinition definition, List<EntityTypeInfo> types) {
        LocalStore store = stores.open(definition);
        try {
            NodeEngine engine = new NodeEngine(store, types, settings, open::remove);
            open.add(engine);
            return engine;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    @Deactivate
    void deactivate() {
        for (SyncEngine engine : List.copyOf(open)) {
            engine.close();
        }
    }
}
