package org.trestle.app.internal.handlers;

import org.eclipse.e4.core.di.annotations.CanExecute;
import org.eclipse.e4.core.di.annotations.Execute;
import org.eclipse.e4.ui.workbench.modeling.EPartService;

/** Save All (Ctrl+Shift+S): saves every part with unsaved changes, each waiting for its write. */
public class SaveAllHandler {

    @CanExecute
    public boolean canExecute(EPartService parts) {
        return !parts.getDirtyParts().isEmpty();
    }

    @Execute
    public void execute(EPartService parts) {
        parts.saveAll(false);
    }
}
