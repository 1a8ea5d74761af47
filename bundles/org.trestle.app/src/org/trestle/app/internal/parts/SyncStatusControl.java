package org.trestle.app.internal.parts;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.core.di.annotations.Optional;
import org.eclipse.e4.core.di.extensions.Service;
import org.eclipse.e4.ui.di.UIEventTopic;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.osgi.service.event.Event;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncService;
import org.trestle.sync.api.SyncState;
import org.trestle.sync.api.SyncTopics;

/**
 * The always-visible sync status in the window's bottom trim: connection, pending
 * changes, last successful sync, and "Sync now". A failure shows its reason here, once,
 * instead of a dialog.
 */
public class SyncStatusControl {

    /** Widget data key under which tests find the status label. */
    public static final String STATUS_LABEL = "trestle.sync.status";
    public static final String PROGRESS = "trestle.status.progress";
    public static final String SYNC_BUTTON = "trestle.sync.now";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());

    @Inject
    @Service
    SyncService sync;

    @Inject
    UISynchronize ui;

    private Label status;
    private org.eclipse.swt.widgets.ProgressBar progress;
    private Button syncNow;

    @PostConstruct
    public void create(Composite parent) {
        Composite bar = new Composite(parent, SWT.NONE);
        GridLayoutFactory.swtDefaults().numColumns(3).margins(6, 2).applyTo(bar);
        status = new Label(bar, SWT.NONE);
        status.setData(STATUS_LABEL, Boolean.TRUE);
        GridDataFactory.fillDefaults().grab(true, false).hint(620, SWT.DEFAULT).applyTo(status);
        // shown while an exchange runs: how far it is is unknown until the server says "no more"
        progress = new org.eclipse.swt.widgets.ProgressBar(bar, SWT.HORIZONTAL | SWT.INDETERMINATE);
        progress.setData(PROGRESS, Boolean.TRUE);
        GridDataFactory.swtDefaults().hint(90, SWT.DEFAULT).exclude(true).applyTo(progress);
        progress.setVisible(false);
        syncNow = new Button(bar, SWT.PUSH);
        syncNow.setText("Sync now");
        syncNow.setToolTipText("Exchange changes with the server now (Ctrl+Alt+S)");
        syncNow.setData(SYNC_BUTTON, Boolean.TRUE);
        syncNow.addListener(SWT.Selection, e -> syncInBackground());
        refresh();
        scheduleRefresh(bar);
    }

    /** Local edits post no event: the pending count is read again every few seconds. */
    private void scheduleRefresh(Composite bar) {
        bar.getDisplay().timerExec(3000, () -> {
            if (!bar.isDisposed()) {
                refresh();
                scheduleRefresh(bar);
            }
        });
    }

    /** Starts a synchronization in a background job; the status line follows its events. */
    public void syncInBackground() {
        if (sync == null) {
            return;
        }
        syncNow.setEnabled(false);
        showProgress(true);
        Job job = Job.create("Synchronizing with the Trestle server", (IProgressMonitor monitor) -> {
            try {
                sync.syncNow();
            } catch (SyncException e) {
                // the service remembers the reason; the status line shows it
            } finally {
                ui.asyncExec(() -> {
                    if (!syncNow.isDisposed()) {
                        syncNow.setEnabled(true);
                        showProgress(false);
                        refresh();
                    }
                });
            }
            return Status.OK_STATUS;
        });
        job.schedule();
    }

    @Inject
    @Optional
    void onSyncEvent(@UIEventTopic(SyncTopics.ALL) Event event) {
        refresh();
    }

    private void refresh() {
        if (status == null || status.isDisposed()) {
            return;
        }
        if (sync == null) {
            status.setText("Sync service not available");
            return;
        }
        // reading the state queries the database: off the UI thread, shown when ready
        Job.create("Reading the sync status", (IProgressMonitor monitor) -> {
            SyncState s = sync.state();
            ui.asyncExec(() -> {
                if (!status.isDisposed()) {
                    showProgress(s.status() == org.trestle.sync.api.SyncStatus.SYNCING || !syncNow.getEnabled());
                    status.setText(describe(s));
                    status.setToolTipText(tooltip(s));
                    status.getParent().layout();
                }
            });
            return Status.OK_STATUS;
        }).schedule();
    }

    private void showProgress(boolean on) {
        if (progress.isDisposed() || progress.getVisible() == on) {
            return;
        }
        progress.setVisible(on);
        ((org.eclipse.swt.layout.GridData) progress.getLayoutData()).exclude = !on;
        progress.getParent().layout();
    }

    /** @return the server or the last error, and what waits for a plugin, in full */
    public static String tooltip(SyncState s) {
        String first = s.lastError() == null ? s.serverUrl() : s.lastError();
        String waiting = s.waitingForPluginsText();
        if (waiting == null) {
            return first;
        }
        return first == null ? waiting : first + "\n" + waiting;
    }

    public static String describe(SyncState s) {
        String state = switch (s.status()) {
            case UNREGISTERED -> "Not registered (working locally)";
            case ONLINE -> "Online";
            case OFFLINE -> "Offline";
            case SYNCING -> "Syncing...";
            case REREGISTER -> "Register again";
            case INCOMPATIBLE -> "Update needed";
        };
        StringBuilder text = new StringBuilder(state).append("  |  ").append(s.pendingChanges()).append(" pending");
        if (s.openConflicts() > 0) {
            text.append("  |  ").append(s.openConflicts()).append(s.openConflicts() == 1 ? " conflict" : " conflicts");
        }
        long waiting = s.waitingForPluginsCount();
        if (waiting > 0) {
            // short on the line, in full in the tooltip
            text.append("  |  ").append(waiting).append(waiting == 1 ? " change waits" : " changes wait")
                    .append(" for an update");
        }
        text.append("  |  last sync ").append(s.lastSuccess() == null ? "never" : TIME.format(s.lastSuccess()));
        if (s.lastError() != null && s.status() != org.trestle.sync.api.SyncStatus.ONLINE) {
            text.append("  |  ").append(s.lastError().length() > 80 ? s.lastError().substring(0, 77) + "..." : s.lastError());
        }
        return text.toString();
    }
}
