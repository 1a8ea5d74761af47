package org.trestle.app.internal.parts;

import java.time.Duration;
import java.time.Instant;

import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.core.di.annotations.Optional;
import org.eclipse.e4.core.di.extensions.Service;
import org.eclipse.e4.ui.di.UIEventTopic;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.e4.ui.workbench.modeling.EPartService;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Link;
import org.eclipse.swt.widgets.ProgressBar;
import org.osgi.service.event.Event;
import org.trestle.app.parts.Labels;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncService;
import org.trestle.sync.api.SyncState;
import org.trestle.sync.api.SyncStatus;
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
    /** The link to registration shown while this computer is not registered. */
    public static final String REGISTER = "trestle.sync.register";
    /**
     * Widget data key of the bar that shows how much of a long download (an initial load)
     * has arrived, then how much of it is written into the tables.
     */
    public static final String RECEIVING = "trestle.status.receiving";


    @Inject
    @Service
    SyncService sync;

    @Inject
    UISynchronize ui;

    private Label status;
    private ProgressBar progress;
    private ProgressBar receivingBar;
    /** What a long download says instead of the status while it runs, or {@code null}. */
    private String receiving;
    private Instant receivingSince;
    private long receivedAtStart;
    /** Whether the bar shows the writing of a kept load rather than a download. */
    private boolean receivingWrites;
    private Button syncNow;

    @Inject
    @Optional
    EPartService parts;

    private Link register;

    @PostConstruct
    public void create(Composite parent) {
        Composite bar = new Composite(parent, SWT.NONE);
        GridLayoutFactory.swtDefaults().numColumns(5).margins(6, 2).applyTo(bar);
        // the first thing to do on a new computer, until it is done: register it
        register = new Link(bar, SWT.NONE);
        register.setText("<a>Register this computer</a> to receive your projects.");
        register.setData(REGISTER, Boolean.TRUE);
        register.addListener(SWT.Selection, e -> {
            if (parts != null) {
                parts.showPart("org.trestle.app.part.settings", EPartService.PartState.ACTIVATE);
            }
        });
        GridDataFactory.swtDefaults().align(SWT.BEGINNING, SWT.CENTER).exclude(true).applyTo(register);
        register.setVisible(false);
        status = new Label(bar, SWT.NONE);
        status.setData(STATUS_LABEL, Boolean.TRUE);
        // wide enough for the longest counts, narrow enough that the bar and the button stay in the window
        GridDataFactory.fillDefaults().grab(true, false).align(SWT.FILL, SWT.CENTER).hint(420, SWT.DEFAULT)
                .applyTo(status);
        // shown while an exchange runs: how far it is is unknown until the server says "no more"
        progress = new ProgressBar(bar, SWT.HORIZONTAL | SWT.INDETERMINATE);
        progress.setData(PROGRESS, Boolean.TRUE);
        GridDataFactory.swtDefaults().hint(90, SWT.DEFAULT).exclude(true).applyTo(progress);
        progress.setVisible(false);
        // a long download (an initial load): how much has arrived, of how much
        receivingBar = new ProgressBar(bar, SWT.HORIZONTAL | SWT.SMOOTH);
        receivingBar.setMaximum(1000);
        receivingBar.setData(RECEIVING, Boolean.TRUE);
        GridDataFactory.swtDefaults().hint(160, SWT.DEFAULT).exclude(true).applyTo(receivingBar);
        receivingBar.setVisible(false);
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
        if (SyncTopics.PROGRESS.equals(event.getTopic())) {
            showReceiving(event);
        } else if (SyncTopics.COMPLETED.equals(event.getTopic()) || SyncTopics.FAILED.equals(event.getTopic())) {
            receiving = null;
            showBar(receivingBar, false);
        }
        refresh();
    }

    /**
     * A download of more than a packet, then the writing of a new computer's initial load
     * into its tables: the bar, the counts and the time left, from the rate so far.
     */
    private void showReceiving(Event event) {
        boolean writing = SyncTopics.PHASE_WRITING.equals(event.getProperty(SyncTopics.PROPERTY_PHASE));
        long done = event.getProperty(writing ? SyncTopics.PROPERTY_WRITTEN : SyncTopics.PROPERTY_RECEIVED)
                instanceof Number n ? n.longValue() : 0;
        long total = event.getProperty(SyncTopics.PROPERTY_TOTAL) instanceof Number n ? n.longValue() : 0;
        boolean more = Boolean.TRUE.equals(event.getProperty(SyncTopics.PROPERTY_MORE));
        if (!more || total <= done || receivingBar.isDisposed()) {
            receiving = null;
            receivingSince = null;
            showBar(receivingBar, false);
            return;
        }
        Instant now = Instant.now();
        if (receivingSince == null || writing != receivingWrites) {
            // the rate is measured from the first count of each phase
            receivingSince = now;
            receivedAtStart = done;
            receivingWrites = writing;
        }
        Duration elapsed = Duration.between(receivingSince, now);
        receiving = writing ? writingText(done, total, receivedAtStart, elapsed)
                : receivingText(done, total, receivedAtStart, elapsed);
        receivingBar.setSelection((int) (done * 1000 / total));
        receivingBar.setToolTipText(writing ? "The initial load is all here; it is written into this computer's tables"
                : "Changes arriving from the server");
        showBar(receivingBar, true);
    }

    /**
     * @return "Receiving 12,400 of 100,000 changes, about 40 s left"; the time once some
     *         arrived since the first count
     */
    public static String receivingText(long received, long total, long receivedAtStart, Duration elapsed) {
        return String.format("Receiving %,d of %,d changes", received, total)
                + timeLeft(received, total, receivedAtStart, elapsed);
    }

    /**
     * @return "Writing 250,000 of 1,000,000 received entities, about 20 s left"; the time
     *         once some were written since the first count
     */
    public static String writingText(long written, long total, long writtenAtStart, Duration elapsed) {
        return String.format("Writing %,d of %,d received entities", written, total)
                + timeLeft(written, total, writtenAtStart, elapsed);
    }

    /** @return ", about 40 s left" at the rate since the first count, or nothing before a second one */
    private static String timeLeft(long done, long total, long doneAtStart, Duration elapsed) {
        long since = done - doneAtStart;
        if (since <= 0 || elapsed.toMillis() <= 0) {
            return "";
        }
        long left = (total - done) * elapsed.toMillis() / since / 1000;
        return left < 60 ? ", about " + Math.max(1, left) + " s left" : ", about " + (left + 30) / 60 + " min left";
    }

    private static void showBar(ProgressBar bar, boolean on) {
        if (bar.isDisposed() || bar.getVisible() == on) {
            return;
        }
        bar.setVisible(on);
        ((GridData) bar.getLayoutData()).exclude = !on;
        bar.getParent().layout();
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
                    showProgress(s.status() == SyncStatus.SYNCING || !syncNow.getEnabled());
                    status.setText(receiving != null ? receiving : describe(s));
                    boolean unregistered = s.status() == SyncStatus.UNREGISTERED;
                    if (register.getVisible() != unregistered) {
                        register.setVisible(unregistered);
                        ((GridData) register.getLayoutData()).exclude = !unregistered;
                    }
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
        ((GridData) progress.getLayoutData()).exclude = !on;
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
        text.append("  |  last sync ").append(s.lastSuccess() == null ? "never" : Labels.time(s.lastSuccess()));
        if (s.lastError() != null && s.status() != SyncStatus.ONLINE) {
            text.append("  |  ").append(s.lastError().length() > 80 ? s.lastError().substring(0, 77) + "..." : s.lastError());
        }
        return text.toString();
    }
}
