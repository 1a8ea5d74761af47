package org.trestle.app.internal.parts;

import jakarta.inject.Inject;

import org.eclipse.core.runtime.preferences.IEclipsePreferences;
import org.eclipse.core.runtime.preferences.InstanceScope;
import org.eclipse.e4.core.di.annotations.Optional;
import org.eclipse.e4.ui.di.UIEventTopic;
import org.eclipse.e4.ui.model.application.MApplication;
import org.eclipse.e4.ui.model.application.ui.basic.MWindow;
import org.eclipse.e4.ui.workbench.UIEvents;
import org.eclipse.e4.ui.workbench.modeling.EModelService;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Shell;
import org.osgi.service.event.Event;

/**
 * Brings the main window back where and as large as a person left it, laid out as it was
 * ({@link WindowLayout}): its bounds are kept
 * in the workbench's preferences when it closes and set again at the next start (the
 * application model itself is built afresh at each start, so that plugins added or removed
 * are always shown as they are). Bounds that no longer fit a screen (a monitor unplugged)
 * are left as the model says. An addon of the application model.
 */
public class WindowBounds {

    private static final String NODE = "org.trestle.app";
    private static final String KEY = "window.bounds";

    @Inject
    MApplication application;

    @Inject
    @Optional
    void started(@UIEventTopic(UIEvents.UILifeCycle.APP_STARTUP_COMPLETE) Event event) {
        if (application.getChildren().isEmpty() || !(application.getChildren().get(0).getWidget() instanceof Shell shell)) {
            return;
        }
        MWindow window = application.getChildren().get(0);
        IEclipsePreferences prefs = InstanceScope.INSTANCE.getNode(NODE);
        Rectangle kept = parse(prefs.get(KEY, ""));
        if (kept != null && fits(shell, kept)) {
            window.setX(kept.x);
            window.setY(kept.y);
            window.setWidth(kept.width);
            window.setHeight(kept.height);
            shell.setBounds(kept);
        }
        EModelService models = application.getContext().get(EModelService.class);
        WindowLayout.restore(window, models, prefs);
        shell.addListener(SWT.Close, e -> {
            Rectangle b = shell.getBounds();
            prefs.put(KEY, b.x + "," + b.y + "," + b.width + "," + b.height);
            WindowLayout.keep(window, models, prefs);
            try {
                prefs.flush();
            } catch (org.osgi.service.prefs.BackingStoreException ex) {
                org.slf4j.LoggerFactory.getLogger(WindowBounds.class).warn("The window's size could not be kept", ex);
            }
        });
    }

    /** @return the bounds "x,y,width,height", or {@code null} for anything else */
    static Rectangle parse(String text) {
        String[] parts = text.split(",");
        if (parts.length != 4) {
            return null;
        }
        try {
            Rectangle r = new Rectangle(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()),
                    Integer.parseInt(parts[2].trim()), Integer.parseInt(parts[3].trim()));
            return r.width >= 400 && r.height >= 300 ? r : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean fits(Shell shell, Rectangle r) {
        for (org.eclipse.swt.widgets.Monitor m : shell.getDisplay().getMonitors()) {
            if (m.getBounds().contains(r.x + 20, r.y + 20)) {
                return true;
            }
        }
        return false;
    }
}
