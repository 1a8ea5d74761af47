package org.trestle.sync.core.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.persistence.Entity;

import org.eclipse.core.runtime.ContributorFactoryOSGi;
import org.eclipse.core.runtime.IConfigurationElement;
import org.eclipse.core.runtime.IExtensionRegistry;
import org.osgi.framework.Bundle;
import org.osgi.framework.Version;
import org.osgi.framework.namespace.HostNamespace;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.sync.api.ConflictStrategy;
import org.trestle.sync.api.EntityNaming;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.TypeMigration;
import org.trestle.sync.api.TypeVersions;
import org.trestle.sync.api.entity.SyncEntity;

/**
 * The entity types contributed through {@code org.trestle.sync.core.entities}. A bad
 * contribution (unknown class, not a {@link SyncEntity}, duplicate name) is logged with
 * the contributing bundle's name and left out; it does not stop the others.
 */
@Component(service = EntityCatalog.class)
public final class EntityCatalog {

    public static final String EXTENSION_POINT = "org.trestle.sync.core.entities";
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    private static final Logger LOG = LoggerFactory.getLogger(EntityCatalog.class);

    private final List<Declared> declared = new ArrayList<>();

    /** A contribution as read, with the strategy still unresolved when it says "default". */
    record Declared(String name, Class<? extends SyncEntity> type, Optional<ConflictStrategy> strategy,
            boolean versionHistory, int applyOrder, String contributor, boolean scopeRoot, String scopedBy,
            String version, List<TypeMigration> migrations, EntityNaming naming,
            Set<String> deleteWith) {
    }

    @Activate
    public EntityCatalog(@Reference IExtensionRegistry registry) {
        Map<String, String> seen = new HashMap<>();
        for (IConfigurationElement element : registry.getConfigurationElementsFor(EXTENSION_POINT)) {
            String contributor = element.getContributor().getName();
            try {
                Declared d = read(element);
                if (seen.containsKey(d.name())) {
                    throw new IllegalArgumentException("the entity type name '" + d.name()
                            + "' is already contributed by " + seen.get(d.name()));
                }
                seen.put(d.name(), contributor);
                declared.add(d);
            } catch (RuntimeException e) {
                LOG.error("Ignoring the entity contribution of " + contributor + ": " + e.getMessage());
            }
        }
        declared.sort(Comparator.comparingInt(Declared::applyOrder).thenComparing(Declared::name));
    }

    /** @return the types, parents first, with "default" strategies resolved */
    public List<EntityTypeInfo> types(ConflictStrategy defaultStrategy) {
        return declared.stream().map(d -> new EntityTypeInfo(d.name(), d.type(), d.strategy().orElse(defaultStrategy),
                d.versionHistory(), d.applyOrder(), d.contributor(), d.scopeRoot(), d.scopedBy(), d.version(),
                d.migrations(), d.naming(), d.deleteWith())).toList();
    }

    /** Classes of a fragment load through its host. */
    private static Bundle hostOf(Bundle bundle) {
        if (bundle == null) {
            return null;
        }
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        if (revision == null || (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) == 0) {
            return bundle;
        }
        BundleWiring wiring = revision.getWiring();
        if (wiring == null) {
            return null;
        }
        List<BundleWire> hosts = wiring.getRequiredWires(HostNamespace.HOST_NAMESPACE);
        return hosts == null || hosts.isEmpty() ? null : hosts.get(0).getProvider().getBundle();
    }

    private static Declared read(IConfigurationElement element) {
        if (!"entity".equals(element.getName())) {
            throw new IllegalArgumentException("unexpected element <" + element.getName() + ">");
        }
        String name = element.getAttribute("name");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid entity type name '" + name + "'");
        }
        String className = element.getAttribute("class");
        if (className == null || className.isBlank()) {
            throw new IllegalArgumentException("entity type " + name + " names no class");
        }
        Bundle bundle = hostOf(ContributorFactoryOSGi.resolve(element.getContributor()));
        if (bundle == null) {
            throw new IllegalArgumentException("the contributing bundle is not installed");
        }
        Class<?> loaded;
        try {
            loaded = bundle.loadClass(className);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("class " + className + " of entity type " + name + " cannot be loaded");
        }
        if (!SyncEntity.class.isAssignableFrom(loaded)) {
            throw new IllegalArgumentException(className + " does not extend " + SyncEntity.class.getName());
        }
        if (!loaded.isAnnotationPresent(Entity.class)) {
            throw new IllegalArgumentException(className + " is not annotated @Entity");
        }
        String strategyText = element.getAttribute("conflictStrategy");
        Optional<ConflictStrategy> strategy = strategyText == null || "default".equals(strategyText) ? Optional.empty()
                : Optional.of(ConflictStrategy.fromWireName(strategyText));
        boolean history = Boolean.parseBoolean(element.getAttribute("versionHistory"));
        int order = 100;
        String orderText = element.getAttribute("applyOrder");
        if (orderText != null && !orderText.isBlank()) {
            try {
                order = Integer.parseInt(orderText.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("applyOrder of " + name + " is not an integer: " + orderText);
            }
        }
        String scope = element.getAttribute("scope");
        boolean root = "root".equals(scope);
        if (scope != null && !root && !"global".equals(scope) && !"scoped".equals(scope)) {
            throw new IllegalArgumentException("scope of " + name + " must be global, root or scoped, not " + scope);
        }
        String scopedBy = element.getAttribute("scopedBy");
        scopedBy = scopedBy == null || scopedBy.isBlank() ? null : scopedBy.trim();
        if ("scoped".equals(scope) != (scopedBy != null)) {
            throw new IllegalArgumentException("entity type " + name + ": scope=\"scoped\" goes with scopedBy, the"
                    + " reference through which it belongs to a scope root, and scopedBy with scope=\"scoped\"");
        }
        String version = element.getAttribute("version");
        if (version == null || version.isBlank()) {
            // the declaring bundle's version, as a fragment's own says what it declares
            Bundle declaring = ContributorFactoryOSGi.resolve(element.getContributor());
            Version v = declaring == null ? Version.emptyVersion : declaring.getVersion();
            version = v.getMajor() + "." + v.getMinor() + "." + v.getMicro();
        }
        TypeVersions.check(name, version.trim());
        List<TypeMigration> migrations = new ArrayList<>();
        for (IConfigurationElement m : element.getChildren("migration")) {
            migrations.add(migration(name, m));
        }
        EntityNaming naming = naming(name, loaded, element);
        // checked as the engine will: oldest first, none beyond the declared version
        new EntityTypeInfo(name, loaded.asSubclass(SyncEntity.class), ConflictStrategy.SERVER_WINS, false, order, "",
                root, scopedBy, version.trim(), migrations, naming);
        return new Declared(name, loaded.asSubclass(SyncEntity.class), strategy, history, order,
                element.getContributor().getName(), root, scopedBy, version.trim(), List.copyOf(migrations), naming,
                deleteWith(name, loaded, element.getAttribute("deleteWith")));
    }

    /** The references a declaration deletes along: each must be a field of the class referring to an entity. */
    private static Set<String> deleteWith(String name, Class<?> loaded, String declared) {
        Set<String> out = new LinkedHashSet<>();
        if (declared == null || declared.isBlank()) {
            return out;
        }
        for (String reference : declared.split(",")) {
            String r = reference.trim();
            Field field = null;
            for (Class<?> c = loaded; c != null && field == null; c = c.getSuperclass()) {
                field = Arrays.stream(c.getDeclaredFields()).filter(f -> f.getName().equals(r)).findFirst()
                        .orElse(null);
            }
            if (field == null || !SyncEntity.class.isAssignableFrom(field.getType())) {
                throw new IllegalArgumentException("deleteWith of " + name + " names '" + r
                        + "', which is not a reference of " + loaded.getSimpleName() + " to another entity");
            }
            out.add(r);
        }
        return out;
    }

    /** The declared label and title; every attribute the title names must be a field of the class. */
    private static EntityNaming naming(String name, Class<?> type, IConfigurationElement element) {
        String label = element.getAttribute("label");
        label = label == null || label.isBlank() ? EntityNaming.words(name) : label.trim();
        List<String> title;
        try {
            title = EntityNaming.parseTitle(element.getAttribute("title"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("entity type " + name + ": " + e.getMessage());
        }
        for (String attribute : title) {
            if (!hasField(type, attribute) || SyncEntity.UUID.equals(attribute)) {
                throw new IllegalArgumentException("entity type " + name + ": its title names " + attribute
                        + ", which is not an attribute of " + type.getName());
            }
        }
        return new EntityNaming(label, title);
    }

    private static boolean hasField(Class<?> type, String name) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getName().equals(name) && !Modifier.isStatic(f.getModifiers())
                        && !Modifier.isTransient(f.getModifiers())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static TypeMigration migration(String type, IConfigurationElement m) {
        String to = m.getAttribute("to");
        TypeVersions.check(type, to == null ? "" : to.trim());
        List<TypeMigration.Step> steps = new ArrayList<>();
        for (IConfigurationElement s : m.getChildren()) {
            steps.add(switch (s.getName()) {
                case "rename" -> new TypeMigration.Rename(required(type, s, "from"),
                        required(type, s, "to"));
                case "drop" -> new TypeMigration.Drop(required(type, s, "attribute"));
                case "convert" -> new TypeMigration.Convert(required(type, s, "attribute"),
                        TypeMigration.Kind.of(required(type, s, "from")),
                        TypeMigration.Kind.of(required(type, s, "to")));
                default -> throw new IllegalArgumentException("entity type " + type + ": unexpected <" + s.getName()
                        + "> in a migration");
            });
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("entity type " + type + ": the migration to " + to + " has no step");
        }
        return new TypeMigration(to.trim(), steps);
    }

    private static String required(String type, IConfigurationElement e, String attribute) {
        String v = e.getAttribute(attribute);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("entity type " + type + ": <" + e.getName() + "> needs " + attribute);
        }
        return v.trim();
    }
}
