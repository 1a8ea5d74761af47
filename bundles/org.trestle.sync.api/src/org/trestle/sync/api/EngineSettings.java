package org.trestle.sync.api;

/**
 * Settings of a sync engine.
 *
 * @param batchSize       the most changes a packet carries (protocol default 100)
 * @param defaultStrategy the strategy for entity types that declare none
 * @param schemaVersion   the schema version this node speaks
 * @param maxHeldPerNode  the most changes of one node held while they wait for an entity
 *                        they reference; more are refused ({@code too_many_held})
 * @since 0.1
 */
public record EngineSettings(int batchSize, ConflictStrategy defaultStrategy, String schemaVersion, int maxHeldPerNode) {

    public static final int DEFAULT_BATCH_SIZE = 100;
    public static final int DEFAULT_MAX_HELD_PER_NODE = 10_000;

    public EngineSettings {
        if (batchSize < 1 || batchSize > 100_000) {
            throw new IllegalArgumentException("batch size must be between 1 and 100000, not " + batchSize);
        }
        if (maxHeldPerNode < 1) {
            throw new IllegalArgumentException("the changes held per node must be at least 1, not " + maxHeldPerNode);
        }
        SyncProtocol.majorVersion(schemaVersion);
    }

    public EngineSettings(int batchSize, ConflictStrategy defaultStrategy, String schemaVersion) {
        this(batchSize, defaultStrategy, schemaVersion, DEFAULT_MAX_HELD_PER_NODE);
    }

    public static EngineSettings defaults() {
        return new EngineSettings(DEFAULT_BATCH_SIZE, ConflictStrategy.SERVER_WINS, SyncProtocol.SCHEMA_VERSION);
    }

    public EngineSettings withBatchSize(int size) {
        return new EngineSettings(size, defaultStrategy, schemaVersion, maxHeldPerNode);
    }

    public EngineSettings withMaxHeldPerNode(int held) {
        return new EngineSettings(batchSize, defaultStrategy, schemaVersion, held);
    }
}
