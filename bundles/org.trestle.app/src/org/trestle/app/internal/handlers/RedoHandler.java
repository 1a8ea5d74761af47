package org.trestle.app.internal.handlers;

import org.eclipse.e4.core.di.annotations.CanExecute;
import org.eclipse.e4.core.di.annotations.Execute;
import org.eclipse.e4.core.di.annotations.Optional;
import org.eclipse.e4.ui.model.application.ui.basic.MPart;
import org.trestle.app.parts.Undoable;

/** Redo (Ctrl+Y, Ctrl+Shift+Z): does the active part's last undone edit again. */
public class RedoHandler {

    @CanExecute
    public boolean canExecute(@Optional MPart part) {
        Undoable u = UndoHandler.of(part);
        return u != null && u.canRedo();
    }

    @Execute
    public void execute(MPart part) {
        Undoable u = UndoHandler.of(part);
        if (u != null && u.canRedo()) {
            u.redo();
        }
    }
}
