package org.trestle.app.internal.handlers;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.core.di.annotations.CanExecute;
import org.eclipse.e4.core.di.annotations.Execute;
import org.eclipse.e4.core.di.annotations.Optional;
import org.eclipse.e4.core.di.extensions.Service;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncService;
import org.trestle.sync.api.SyncStatus;

/** "Sync now" (Ctrl+Alt+S): a synchronization in a background job; its events update the status line. */
public class SyncNowHandler {

    @CanExecute
    public boolean canExecute(@Optional @Service SyncService sync) {
        return sync != null && sync.status() != SyncStatus.UNREGISTERED;
    }

    @Execute
    public void execute(@Service SyncService sync) {
        Job.create("Synchronizing with the Trestle server", (IProgressMonitor monitor) -> {
            try {
                sync.syncNow();
            } catch (SyncException e) {
                // the service keeps the reason and posts it; the status line shows it once
            }
            return Status.OK_STATUS;
        }).schedule();
    }
}
