package org.trestle.app.internal.parts;

import org.eclipse.core.runtime.preferences.IEclipsePreferences;
import org.eclipse.e4.ui.model.application.ui.MUIElement;
import org.eclipse.e4.ui.model.application.ui.basic.MPartStack;
import org.eclipse.e4.ui.model.application.ui.basic.MWindow;
import org.eclipse.e4.ui.workbench.modeling.EModelService;

/**
 * The window's layout a person left, kept in the workbench's preferences: which table was
 * in front, and how the width is shared between the tables and the Conflicts column.
 * Read back at the next start; a part no longer installed, or a share that is not a
 * number, leaves the layout as the model says.
 */
public final class WindowLayout {

    static final String FRONT = "window.front";
    static final String SHARES = "window.shares";
    private static final String MAIN = "org.trestle.app.partstack.main";
    private static final String SIDE = "org.trestle.app.partstack.side";

    private WindowLayout() {
    }

    /** Keeps the window's layout in the preferences (the caller flushes them). */
    public static void keep(MWindow window, EModelService models, IEclipsePreferences prefs) {
        MPartStack main = (MPartStack) models.find(MAIN, window);
        MPartStack side = (MPartStack) models.find(SIDE, window);
        if (main == null || side == null) {
            return;
        }
        MUIElement front = main.getSelectedElement();
        if (front != null && front.getElementId() != null) {
            prefs.put(FRONT, front.getElementId());
        }
        prefs.put(SHARES, main.getContainerData() + "," + side.getContainerData());
    }

    /** Lays the window out as it was kept. */
    public static void restore(MWindow window, EModelService models, IEclipsePreferences prefs) {
        MPartStack main = (MPartStack) models.find(MAIN, window);
        MPartStack side = (MPartStack) models.find(SIDE, window);
        if (main == null || side == null) {
            return;
        }
        String front = prefs.get(FRONT, "");
        for (var child : main.getChildren()) {
            if (front.equals(child.getElementId()) && child.isToBeRendered()) {
                main.setSelectedElement(child);
            }
        }
        String[] shares = prefs.get(SHARES, "").split(",");
        if (shares.length == 2 && shares[0].trim().matches("\\d{1,5}") && shares[1].trim().matches("\\d{1,5}")
                && Integer.parseInt(shares[0].trim()) > 0 && Integer.parseInt(shares[1].trim()) > 0) {
            main.setContainerData(shares[0].trim());
            side.setContainerData(shares[1].trim());
        }
    }
}
