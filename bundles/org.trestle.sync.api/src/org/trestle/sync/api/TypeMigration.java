package org.trestle.sync.api;

import java.util.List;
import java.util.Objects;

/**
 * A breaking change of an entity type's attributes, declared by the plugin: what turns
 * the type's previous version into {@code toVersion}. The server translates the changes
 * of nodes that still run an earlier version with it, in both directions.
 *
 * @param toVersion the version of the declaration this migration leads to
 * @param steps     what changes, in order
 * @since 0.1
 */
public record TypeMigration(String toVersion, List<Step> steps) {

    public TypeMigration {
        Objects.requireNonNull(toVersion, "toVersion");
        steps = List.copyOf(steps);
    }

    /** One step of a migration. */
    public sealed interface Step permits Rename, Drop, Convert {
    }

    /** The attribute {@code from} is called {@code to} from this version on. */
    public record Rename(String from, String to) implements Step {
    }

    /** The attribute is gone from this version on; nodes still running an earlier version keep their value. */
    public record Drop(String attribute) implements Step {
    }

    /** The attribute's values change form, {@code from} the earlier kind {@code to} the new one. */
    public record Convert(String attribute, Kind from, Kind to) implements Step {
    }

    /** The forms a converted value can take on the wire. */
    public enum Kind {
        /** a JSON string */
        TEXT,
        /** a JSON whole number */
        INTEGER,
        /** a decimal as a JSON string, {@code "12.50"} */
        DECIMAL;

        /** @return the kind by its name in a declaration ({@code text}, {@code integer}, {@code decimal}) */
        public static Kind of(String name) {
            for (Kind k : values()) {
                if (k.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
                    return k;
                }
            }
            throw new IllegalArgumentException("not a kind of value: '" + name + "' (text, integer or decimal)");
        }
    }
}
