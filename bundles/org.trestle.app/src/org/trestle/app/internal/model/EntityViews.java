package org.trestle.app.internal.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.eclipse.core.runtime.ContributorFactoryOSGi;
import org.eclipse.core.runtime.IConfigurationElement;
import org.eclipse.core.runtime.IExtensionRegistry;
import org.eclipse.core.runtime.RegistryFactory;
import org.eclipse.e4.core.di.annotations.Execute;
import org.eclipse.e4.ui.model.application.MApplication;
import org.eclipse.e4.ui.model.application.ui.basic.MPart;
import org.eclipse.e4.ui.model.application.ui.basic.MPartStack;
import org.eclipse.e4.ui.model.application.ui.basic.MStackElement;
import org.eclipse.e4.ui.workbench.modeling.EModelService;
import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trestle.app.parts.EntityTablePart;

/**
 * Adds a part for every {@code <table>} contributed through {@value #EXTENSION_POINT}: the
 * workbench's generic table and form of the named entity type, with the plugin's label,
 * tooltip and icon, at the position it asks for in the main part stack. Runs as a model
 * processor after the model fragments, at every start; a part already in the model is
 * left as it is, and a part whose plugin is gone is removed.
 */
public final class EntityViews {

    public static final String EXTENSION_POINT = "org.trestle.app.entityViews";
    /** Tags the parts this processor made, so that those of an uninstalled plugin go. */
    public static final String TAG = "trestle.entityView";
    public static final String MAIN_STACK = "org.trestle.app.partstack.main";
    /** Where a table goes when it asks for no position: after the domain's parts, before the workbench's own. */
    public static final String DEFAULT_POSITION = "before:org.trestle.app.part.settings";

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.\\-]{1,200}");
    private static final Logger LOG = LoggerFactory.getLogger(EntityViews.class);
    private static final String PART_CLASS = "bundleclass://org.trestle.app/" + EntityTablePart.class.getName();

    /** One contributed table, as read and checked. */
    record View(String id, String type, String label, String tooltip, String iconUri, String position,
            String contributor, String editor) {
    }

    @Execute
    public void process(MApplication application, EModelService models) {
        MPartStack stack = (MPartStack) models.find(MAIN_STACK, application);
        if (stack == null) {
            LOG.error("The workbench model has no part stack " + MAIN_STACK + "; entity tables are not shown");
            return;
        }
        List<View> views = read(RegistryFactory.getRegistry());
        Set<String> contributed = new HashSet<>();
        views.forEach(v -> contributed.add(v.id()));
        stack.getChildren().removeIf(e -> e.getTags().contains(TAG) && !contributed.contains(e.getElementId()));
        place(stack, views, models);
    }

    /** Puts each view at its position; a view anchored to another contribution waits until that one is placed. */
    static void place(MPartStack stack, List<View> views, EModelService models) {
        List<View> waiting = new ArrayList<>();
        for (View v : views) {
            if (indexOf(stack, v.id()) < 0) {
                waiting.add(v);
            }
        }
        boolean progress = true;
        while (!waiting.isEmpty() && progress) {
            progress = false;
            for (var it = waiting.iterator(); it.hasNext();) {
                View v = it.next();
                int index = index(stack, v.position());
                if (index >= 0) {
                    stack.getChildren().add(index, part(v, models));
                    it.remove();
                    progress = true;
                }
            }
        }
        for (View v : waiting) {
            LOG.warn("The table of " + v.type() + " from " + v.contributor() + " asks for position '" + v.position()
                    + "', whose part is not in the workbench; it goes to the default position instead");
            int index = index(stack, DEFAULT_POSITION);
            stack.getChildren().add(index < 0 ? stack.getChildren().size() : index, part(v, models));
        }
    }

    /** @return where a position puts a part in the stack, or -1 when its anchor is not there (yet) */
    static int index(MPartStack stack, String position) {
        List<MStackElement> children = stack.getChildren();
        if (position.equals("first")) {
            return 0;
        }
        if (position.equals("last")) {
            return children.size();
        }
        int anchor = indexOf(stack, position.substring(position.indexOf(':') + 1));
        if (anchor < 0) {
            return -1;
        }
        return position.startsWith("before:") ? anchor : anchor + 1;
    }

    private static int indexOf(MPartStack stack, String id) {
        List<MStackElement> children = stack.getChildren();
        for (int i = 0; i < children.size(); i++) {
            if (id.equals(children.get(i).getElementId())) {
                return i;
            }
        }
        return -1;
    }

    private static MPart part(View v, EModelService models) {
        MPart part = models.createModelElement(MPart.class);
        part.setElementId(v.id());
        part.setLabel(v.label());
        part.setTooltip(v.tooltip());
        part.setIconURI(v.iconUri());
        part.setContributionURI(PART_CLASS);
        part.setContributorURI("platform:/plugin/" + v.contributor());
        part.getPersistedState().put(EntityTablePart.ENTITY_TYPE, v.type());
        if (v.editor() != null) {
            part.getPersistedState().put(EntityTablePart.EDITOR, v.editor());
        }
        part.getTags().add(TAG);
        part.setCloseable(false);
        return part;
    }

    /** Reads the contributions; a bad one is logged with its bundle's name and left out. */
    static List<View> read(IExtensionRegistry registry) {
        List<View> views = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (IConfigurationElement e : registry.getConfigurationElementsFor(EXTENSION_POINT)) {
            String contributor = e.getContributor().getName();
            try {
                View v = read(e, contributor);
                if (!ids.add(v.id())) {
                    throw new IllegalArgumentException("the part id " + v.id() + " is contributed twice");
                }
                views.add(v);
            } catch (IllegalArgumentException ex) {
                LOG.error("Ignoring an entity table of " + contributor + ": " + ex.getMessage());
            }
        }
        return views;
    }

    private static View read(IConfigurationElement e, String contributor) {
        if (!"table".equals(e.getName())) {
            throw new IllegalArgumentException("unexpected element <" + e.getName() + ">");
        }
        String type = required(e, "type");
        String label = required(e, "label");
        String id = e.getAttribute("id");
        id = id == null || id.isBlank() ? contributor + ".part." + type : id.trim();
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("the part id '" + id + "' may hold only letters, digits, '.', '-' and '_'");
        }
        String position = e.getAttribute("position");
        position = position == null || position.isBlank() ? DEFAULT_POSITION : position.trim();
        if (!position.equals("first") && !position.equals("last")
                && !((position.startsWith("before:") || position.startsWith("after:"))
                        && position.indexOf(':') < position.length() - 1)) {
            throw new IllegalArgumentException("position of the " + type + " table must be first, last,"
                    + " before:<part id> or after:<part id>, not '" + position + "'");
        }
        String tooltip = e.getAttribute("tooltip");
        String editor = e.getAttribute("editor");
        return new View(id, type, label, tooltip == null ? null : tooltip.trim(), icon(e, contributor, type), position,
                contributor, editor == null || editor.isBlank() ? null : editor.trim());
    }

    /** @return the icon's platform URI, or {@code null} (logged) when the bundle holds no such file */
    private static String icon(IConfigurationElement e, String contributor, String type) {
        String path = e.getAttribute("icon");
        if (path == null || path.isBlank()) {
            return null;
        }
        path = path.trim().replaceFirst("^/+", "");
        Bundle bundle = ContributorFactoryOSGi.resolve(e.getContributor());
        if (bundle == null || bundle.getEntry(path) == null) {
            LOG.warn("The icon " + path + " of the " + type + " table is not in " + contributor + " (is it in"
                    + " build.properties' bin.includes?); the tab has no icon");
            return null;
        }
        return "platform:/plugin/" + contributor + "/" + path;
    }

    private static String required(IConfigurationElement e, String attribute) {
        String v = e.getAttribute(attribute);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("<table> needs " + attribute);
        }
        return v.trim();
    }
}
