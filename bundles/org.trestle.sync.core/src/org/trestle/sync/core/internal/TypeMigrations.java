package org.trestle.sync.core.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.TypeMigration;
import org.trestle.sync.api.TypeMigration.Convert;
import org.trestle.sync.api.TypeMigration.Drop;
import org.trestle.sync.api.TypeMigration.Kind;
import org.trestle.sync.api.TypeMigration.Rename;
import org.trestle.sync.api.TypeVersions;
import org.trestle.sync.api.packet.Change;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Translates changes between versions of an entity type's declaration with the
 * migrations the plugin declared: up, for a change made on an earlier version, and down,
 * for a change going to a node that still runs one. Versions of one major are additive
 * and need no translation; a change of major needs a declared migration to it.
 */
final class TypeMigrations {

    private TypeMigrations() {
    }

    /**
     * @param theirs the version another node runs ({@code null}: it did not say)
     * @return why changes between that version and this node's cannot be translated, or
     *         {@code null} when they can
     */
    static String incompatibility(EntityTypeInfo mine, String theirs) {
        if (theirs == null || !TypeVersions.valid(theirs)) {
            return null;
        }
        int majorTheirs = major(theirs);
        int majorMine = major(mine.version());
        if (majorTheirs > majorMine) {
            return mine.name() + ": this node runs version " + mine.version() + ", the other " + theirs
                    + "; a later major version can only be translated by the side that declares it (update the server first)";
        }
        for (int m = majorTheirs + 1; m <= majorMine; m++) {
            int wanted = m;
            boolean declared = mine.migrations().stream().anyMatch(x -> major(x.toVersion()) == wanted
                    && TypeVersions.compare(x.toVersion(), theirs) > 0);
            if (!declared) {
                return mine.name() + ": no migration to version " + m + ".x is declared, so changes of version " + theirs
                        + " cannot be translated to " + mine.version();
            }
        }
        return null;
    }

    /** @return the change as this node's version has it, made on version {@code theirs} (earlier) */
    static Change up(EntityTypeInfo mine, String theirs, Change c) {
        List<TypeMigration> between = between(mine, theirs);
        if (between.isEmpty() || c.data() == null) {
            return c;
        }
        ObjectNode data = c.data().deepCopy();
        List<String> changed = c.changed() == null ? null : new ArrayList<>(c.changed());
        for (TypeMigration m : between) {
            for (TypeMigration.Step step : m.steps()) {
                switch (step) {
                    case Rename r -> move(data, changed, r.from(), r.to());
                    case Drop d -> {
                        data.remove(d.attribute());
                        if (changed != null) {
                            changed.remove(d.attribute());
                        }
                    }
                    case Convert v -> convert(mine.name(), data, v.attribute(), v.from(), v.to());
                }
            }
        }
        return with(c, data, changed);
    }

    /**
     * @param between the migrations after the version the change is wanted in ({@link #between})
     * @return the change as that earlier version has it
     */
    static Change down(EntityTypeInfo mine, List<TypeMigration> between, Change c) {
        if (between.isEmpty() || c.data() == null) {
            return c;
        }
        ObjectNode data = c.data().deepCopy();
        List<String> changed = c.changed() == null ? null : new ArrayList<>(c.changed());
        for (int i = between.size() - 1; i >= 0; i--) {
            List<TypeMigration.Step> steps = between.get(i).steps();
            for (int j = steps.size() - 1; j >= 0; j--) {
                switch (steps.get(j)) {
                    case Rename r -> move(data, changed, r.to(), r.from());
                    case Drop d -> {
                        // the earlier version still has it: its node keeps the value it holds
                    }
                    case Convert v -> convert(mine.name(), data, v.attribute(), v.to(), v.from());
                }
            }
        }
        return with(c, data, changed);
    }

    /** The migrations after version {@code theirs}, up to this node's, oldest first. */
    static List<TypeMigration> between(EntityTypeInfo mine, String theirs) {
        if (theirs == null || !TypeVersions.valid(theirs) || TypeVersions.compare(theirs, mine.version()) >= 0) {
            return List.of();
        }
        return mine.migrations().stream().filter(m -> TypeVersions.compare(m.toVersion(), theirs) > 0).toList();
    }

    private static void move(ObjectNode data, List<String> changed, String from, String to) {
        if (data.has(from)) {
            data.set(to, data.remove(from));
        }
        if (changed != null && changed.remove(from)) {
            changed.add(to);
        }
    }

    private static void convert(String type, ObjectNode data, String attribute, Kind from, Kind to) {
        JsonNode v = data.get(attribute);
        if (v == null || v.isNull() || from == to) {
            return;
        }
        JsonNodeFactory f = JsonNodeFactory.instance;
        try {
            String text = v.asText();
            data.set(attribute, switch (to) {
                case TEXT -> f.textNode(text);
                case DECIMAL -> f.textNode(new BigDecimal(text.trim()).toPlainString());
                case INTEGER -> f.numberNode(new BigDecimal(text.trim()).longValueExact());
            });
        } catch (ArithmeticException | NumberFormatException e) {
            throw new ApplyException("invalid_value", type + "." + attribute + ": '" + v.asText()
                    + "' cannot be converted from " + from.name().toLowerCase() + " to " + to.name().toLowerCase()
                    + " between versions of the type");
        }
    }

    private static Change with(Change c, ObjectNode data, List<String> changed) {
        return new Change(c.seq(), c.entityType(), c.entityUuid(), c.operation(), c.updatedAt(), data, changed, c.base(),
                c.resolves());
    }

    private static int major(String version) {
        return Integer.parseInt(version.substring(0, version.indexOf('.')));
    }
}
