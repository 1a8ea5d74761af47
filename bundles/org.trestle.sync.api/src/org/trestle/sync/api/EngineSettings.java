package org.trestle.sync.api;

/**
 * Settings of a sync engine.
 *
 * @param batchSize       the most changes a packet carries (protocol default 100)
 * @param defaultStrategy the strategy for entity types that declare none
 * @param schemaVersion   the schema version this node speaks
 * @since 0.1
 */
public record EngineSettings(int batchSize, ConflictStrategy defaultStrategy, String schemaVersion) {

    public static final int DEFAULT_BATCH_SIZE = 100;

    public EngineSettings {
        if (batchSize < 1 || batchSize > 100_000) {
            throw new IllegalArgumentException("batch size must be between 1 and 100000, not " + batchSize);
        }
        SyncProtocol.majorVersion(schemaVersion);
    }

    public static EngineSettings defaults() {
        return new EngineSettings(DEFAULT_BATCH_SIZE, ConflictStrategy.SERVER_WINS, SyncProtocol.SCHEMA_VERSION);
    }

    public EngineSettings withBatchSize(int size) {
        return new EngineSettings(size, defaultStrategy, schemaVersion);
    }
}
