package org.trestle.app.internal.handlers;

import org.eclipse.e4.core.di.annotations.Execute;
import org.eclipse.e4.ui.model.application.ui.basic.MPart;
import org.eclipse.e4.ui.workbench.modeling.EPartService;
import org.eclipse.e4.ui.workbench.modeling.EPartService.PartState;
import org.trestle.app.internal.parts.UpdatesPart;

/** Help &gt; Check for Updates: shows the Updates part and checks the update site at once. */
public class CheckForUpdatesHandler {

    public static final String PART = "org.trestle.app.part.updates";

    @Execute
    public void execute(EPartService parts) {
        MPart part = parts.showPart(PART, PartState.ACTIVATE);
        if (part != null && part.getObject() instanceof UpdatesPart updates) {
            updates.check();
        }
    }
}
