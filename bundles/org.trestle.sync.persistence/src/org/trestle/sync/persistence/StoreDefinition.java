package org.trestle.sync.persistence;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to open: a data directory and the entity classes of its persistence unit.
 *
 * @param directory     the data directory; the database lives in its {@code db} folder,
 *                      created on first open
 * @param entityClasses the JPA entity and mapped-superclass types of the unit; they may
 *                      come from any bundle
 * @param properties    extra JPA or EclipseLink properties, which override the defaults
 * @param encryptionKey the key the database is encrypted with at rest (AES-256, 64 hex
 *                      digits), or {@code null} for a database in plain files. A plain
 *                      database opened with a key is encrypted on that open.
 * @param server        the database server the store lives on instead of an embedded
 *                      database in the directory, or {@code null} (the default)
 * @since 0.1
 */
public record StoreDefinition(Path directory, List<Class<?>> entityClasses, Map<String, String> properties,
        String encryptionKey, DatabaseServer server) {

    public StoreDefinition {
        Objects.requireNonNull(directory, "directory");
        directory = directory.toAbsolutePath().normalize();
        entityClasses = List.copyOf(entityClasses);
        properties = Map.copyOf(properties);
        if (encryptionKey != null && !encryptionKey.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("the encryption key must be 64 hex digits (256 bits)");
        }
        if (encryptionKey != null && server != null) {
            throw new IllegalArgumentException("a database server keeps its data encrypted by its own means, not with a key here");
        }
    }

    public StoreDefinition(Path directory, List<Class<?>> entityClasses, Map<String, String> properties,
            String encryptionKey) {
        this(directory, entityClasses, properties, encryptionKey, null);
    }

    public StoreDefinition(Path directory, List<Class<?>> entityClasses, Map<String, String> properties) {
        this(directory, entityClasses, properties, null, null);
    }

    /** @return this definition with the database encrypted at rest under the key */
    public StoreDefinition encrypted(String key) {
        return new StoreDefinition(directory, entityClasses, properties, key, server);
    }

    /** @return this definition with the database on a database server (the directory keeps the rest) */
    public StoreDefinition on(DatabaseServer databaseServer) {
        return new StoreDefinition(directory, entityClasses, properties, encryptionKey, databaseServer);
    }

    /** Never shows the key. */
    @Override
    public String toString() {
        return "StoreDefinition[" + directory + ", " + entityClasses.size() + " classes"
                + (encryptionKey == null ? "" : ", encrypted") + (server == null ? "" : ", on " + server) + "]";
    }

    /**
     * A definition without extra properties.
     *
     * @param directory     the data directory
     * @param entityClasses the classes of the persistence unit
     * @return the definition
     */
    public static StoreDefinition of(Path directory, List<Class<?>> entityClasses) {
        return new StoreDefinition(directory, entityClasses, Map.of());
    }
}
