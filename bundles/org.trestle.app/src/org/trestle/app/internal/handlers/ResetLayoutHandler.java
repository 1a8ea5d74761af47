package org.trestle.app.internal.handlers;

import java.util.List;

import org.eclipse.e4.core.di.annotations.Execute;
import org.eclipse.e4.ui.model.application.ui.MUIElement;
import org.eclipse.e4.ui.model.application.ui.advanced.MPlaceholder;
import org.eclipse.e4.ui.model.application.ui.basic.MPart;
import org.eclipse.e4.ui.model.application.ui.basic.MPartStack;
import org.eclipse.e4.ui.model.application.ui.basic.MWindow;
import org.eclipse.e4.ui.workbench.IPresentationEngine;
import org.eclipse.e4.ui.workbench.modeling.EModelService;
import org.eclipse.e4.ui.workbench.modeling.EPartService;

/**
 * Window &gt; Reset Perspective: the window's layout as it first came: minimized and
 * maximized stacks restored, closed tables shown again, the tables' and the Conflicts
 * column's widths as at the first start, the first table in front. The window's size and
 * the data are not touched.
 */
public class ResetLayoutHandler {

    /** The share of the window's width the tables take, the Conflicts column the rest. */
    public static final String MAIN_SHARE = "72";
    public static final String SIDE_SHARE = "28";

    private static final List<String> STATE_TAGS = List.of(IPresentationEngine.MINIMIZED,
            IPresentationEngine.MAXIMIZED, IPresentationEngine.MINIMIZED_BY_ZOOM);

    @Execute
    public void execute(MWindow window, EModelService models, EPartService parts) {
        for (MPartStack stack : models.findElements(window, null, MPartStack.class)) {
            stack.getTags().removeAll(STATE_TAGS);
            stack.setToBeRendered(true);
            stack.setVisible(true);
            for (MUIElement child : stack.getChildren()) {
                child.setToBeRendered(true);
                child.setVisible(true);
            }
            String id = stack.getElementId();
            if ("org.trestle.app.partstack.main".equals(id)) {
                stack.setContainerData(MAIN_SHARE);
            } else if ("org.trestle.app.partstack.side".equals(id)) {
                stack.setContainerData(SIDE_SHARE);
            }
        }
        MPartStack main = (MPartStack) models.find("org.trestle.app.partstack.main", window);
        if (main != null && !main.getChildren().isEmpty()) {
            MUIElement first = main.getChildren().get(0);
            MPart part = first instanceof MPlaceholder p && p.getRef() instanceof MPart ref ? ref
                    : first instanceof MPart direct ? direct : null;
            if (part != null) {
                parts.activate(part);
            }
        }
    }
}
