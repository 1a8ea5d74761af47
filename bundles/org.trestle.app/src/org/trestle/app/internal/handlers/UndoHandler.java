package org.trestle.app.internal.handlers;

import org.eclipse.e4.core.di.annotations.CanExecute;
import org.eclipse.e4.core.di.annotations.Execute;
import org.eclipse.e4.core.di.annotations.Optional;
import org.eclipse.e4.ui.model.application.ui.basic.MPart;
import org.trestle.app.parts.Undoable;

/** Undo (Ctrl+Z): takes back the active part's last edit, when it keeps them. */
public class UndoHandler {

    @CanExecute
    public boolean canExecute(@Optional MPart part) {
        Undoable u = of(part);
        return u != null && u.canUndo();
    }

    @Execute
    public void execute(MPart part) {
        Undoable u = of(part);
        if (u != null && u.canUndo()) {
            u.undo();
        }
    }

    /** @return the part's undo, as its object or its transient data offers it */
    static Undoable of(MPart part) {
        if (part == null) {
            return null;
        }
        return part.getObject() instanceof Undoable u ? u
                : part.getTransientData().get(Undoable.KEY) instanceof Undoable t ? t : null;
    }
}
