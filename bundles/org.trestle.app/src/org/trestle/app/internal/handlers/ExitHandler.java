package org.trestle.app.internal.handlers;

import org.eclipse.e4.core.di.annotations.Execute;
import org.eclipse.e4.ui.workbench.IWorkbench;

/** File > Exit: closes the workbench; unsaved edits are asked about first, as on closing the window. */
public class ExitHandler {

    @Execute
    public void execute(IWorkbench workbench, org.eclipse.e4.ui.workbench.modeling.EPartService parts) {
        if (parts.saveAll(true)) {
            workbench.close();
        }
    }
}
