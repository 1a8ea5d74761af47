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
 * @since 0.1
 */
public record StoreDefinition(Path directory, List<Class<?>> entityClasses, Map<String, String> properties) {

    public StoreDefinition {
        Objects.requireNonNull(directory, "directory");
        directory = directory.toAbsolutePath().normalize();
        entityClasses = List.copyOf(entityClasses);
        properties = Map.copyOf(properties);
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
