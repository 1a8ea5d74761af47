package org.trestle.app.internal.handlers;

import org.eclipse.e4.core.di.annotations.CanExecute;
import org.eclipse.e4.core.di.annotations.Execute;
import org.eclipse.e4.core.di.annotations.Optional;
import org.eclipse.e4.ui.model.application.ui.basic.MPart;
import org.eclipse.e4.ui.workbench.modeling.EPartService;

/** Save (Ctrl+S): saves the active part when it has unsaved changes. */
public class SaveHandler {

    @CanExecute
    public boolean canExecute(@Optional MPart part) {
        return part != null && part.isDirty();
    }

    @Execute
    public void execute(MPart part, EPartService parts) {
        parts.savePart(part, false);
    }
}
