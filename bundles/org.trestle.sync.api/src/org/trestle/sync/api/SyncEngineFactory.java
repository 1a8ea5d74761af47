package org.trestle.sync.api;

import java.nio.file.Path;

/**
 * Opens sync engines over node databases. An OSGi service.
 *
 * @since 0.1
 */
public interface SyncEngineFactory {

    /**
     * Opens (creating on first use) the node database in a data directory, with every
     * contributed entity type.
     */
    SyncEngine open(Path dataDirectory, EngineSettings settings);
}
