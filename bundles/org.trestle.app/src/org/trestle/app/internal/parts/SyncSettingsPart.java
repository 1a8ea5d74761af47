package org.trestle.app.internal.parts;


import java.util.List;

import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.core.commands.ECommandService;
import org.eclipse.e4.core.commands.EHandlerService;
import org.eclipse.e4.core.di.annotations.Optional;
import org.eclipse.e4.core.di.extensions.Service;
import org.eclipse.e4.ui.di.UIEventTopic;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Link;
import org.eclipse.swt.widgets.Text;
import org.osgi.service.event.Event;
import org.trestle.app.parts.Labels;
import org.trestle.sync.api.ExchangeRecord;
import org.trestle.sync.api.NodeInfo;
import org.trestle.sync.api.SyncException;
import org.trestle.sync.api.SyncService;
import org.trestle.sync.api.SyncState;
import org.trestle.sync.api.SyncTopics;

/**
 * Sync settings: registration with the server (the certificate's fingerprint to trust
 * when it is self-signed), a link to the preferences of automatic synchronization, and
 * what is going on (status, last sync, pending changes, the last error).
 */
public class SyncSettingsPart {

    public static final String SERVER = "trestle.settings.server";
    public static final String CODE = "trestle.settings.code";
    public static final String KEY = "trestle.settings.key";
    public static final String FINGERPRINT = "trestle.settings.fingerprint";
    public static final String RESULT = "trestle.settings.result";
    public static final String DEBUG = "trestle.settings.debug";


    @Inject
    @Service
    SyncService sync;

    @Inject
    UISynchronize ui;

    @Inject
    ECommandService commands;

    @Inject
    EHandlerService handlers;

    private Text server;
    private Text code;
    private Text key;
    private Text fingerprint;
    private Label result;
    private Label debug;
    private Button register;

    @PostConstruct
    public void create(Composite parent) {
        GridLayoutFactory.swtDefaults().margins(12, 12).applyTo(parent);
        Group registration = group(parent, "Registration");
        server = field(registration, "Server URL:", SERVER, SWT.BORDER);
        server.setMessage("https://server:8443");
        code = field(registration, "This computer's code:", CODE, SWT.BORDER);
        code.setMessage("for example LAPTOP-ANNA");
        key = field(registration, "Enrollment key:", KEY, SWT.BORDER | SWT.PASSWORD);
        fingerprint = field(registration, "Certificate fingerprint:", FINGERPRINT, SWT.BORDER);
        fingerprint.setMessage("SHA-256 printed by the server, when its certificate is self-signed");
        register = new Button(registration, SWT.PUSH);
        register.setText("Register");
        register.addListener(SWT.Selection, e -> registerInBackground());
        result = new Label(registration, SWT.WRAP);
        result.setData(RESULT, Boolean.TRUE);
        GridDataFactory.fillDefaults().grab(true, false).hint(520, SWT.DEFAULT).applyTo(result);

        Link preferences = new Link(parent, SWT.NONE);
        preferences.setText("Whether and how often this computer synchronizes on its own: Window > <a>Preferences</a>");
        preferences.addListener(SWT.Selection, e -> handlers.executeHandler(commands.createCommand(
                "org.trestle.app.command.preferences", null)));

        Group details = group(parent, "Connection details");
        debug = new Label(details, SWT.WRAP);
        debug.setData(DEBUG, Boolean.TRUE);
        GridDataFactory.fillDefaults().grab(true, false).span(2, 1).hint(520, SWT.DEFAULT).applyTo(debug);
        refresh();
    }

    private static Group group(Composite parent, String title) {
        Group g = new Group(parent, SWT.NONE);
        g.setText(title);
        GridLayoutFactory.swtDefaults().numColumns(2).applyTo(g);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(g);
        return g;
    }

    private static Text field(Composite parent, String label, String key, int style) {
        new Label(parent, SWT.NONE).setText(label);
        Text text = new Text(parent, style);
        text.setData(key, Boolean.TRUE);
        GridDataFactory.fillDefaults().grab(true, false).hint(360, SWT.DEFAULT).applyTo(text);
        return text;
    }

    private void registerInBackground() {
        String url = server.getText().trim();
        String nodeCode = code.getText().trim();
        String enrollment = key.getText();
        String pin = fingerprint.getText().trim();
        if (url.isEmpty() || nodeCode.isEmpty()) {
            result.setText("Give the server URL and this computer's code.");
            return;
        }
        register.setEnabled(false);
        result.setText("Registering with " + url + "...");
        Job.create("Registering with " + url, (IProgressMonitor monitor) -> {
            String message;
            try {
                NodeInfo node = sync.register(url, nodeCode, enrollment.isEmpty() ? null : enrollment,
                        pin.isEmpty() ? null : pin);
                message = "Registered as " + node.code() + ". The first synchronization starts now.";
            } catch (SyncException e) {
                message = "Not registered: " + e.getMessage();
            }
            String shown = message;
            ui.asyncExec(() -> {
                if (!result.isDisposed()) {
                    result.setText(shown);
                    register.setEnabled(true);
                    result.getParent().layout();
                }
            });
            return Status.OK_STATUS;
        }).schedule();
    }

    @Inject
    @Optional
    void onSyncEvent(@UIEventTopic(SyncTopics.ALL) Event event) {
        refresh();
    }

    private void refresh() {
        if (debug == null || debug.isDisposed()) {
            return;
        }
        Job.create("Reading the sync status", (IProgressMonitor monitor) -> {
            SyncState s = sync.state();
            List<ExchangeRecord> recent = sync.recentExchanges();
            ui.asyncExec(() -> show(s, recent));
            return Status.OK_STATUS;
        }).schedule();
    }

    private void show(SyncState s, List<ExchangeRecord> recent) {
        if (debug.isDisposed()) {
            return;
        }
        debug.setText("Status: " + s.status().name().toLowerCase() + "\nServer: " + (s.serverUrl() == null ? "none" : s.serverUrl())
                + "\nThis computer: " + s.nodeCode() + " (" + s.nodeId() + ")\nPending changes: " + s.pendingChanges()
                + "\nOpen conflicts: " + s.openConflicts() + "\nLast successful sync: "
                + (s.lastSuccess() == null ? "never" : Labels.time(s.lastSuccess())) + "\nNext attempt: "
                + (s.nextAttempt() == null ? "not scheduled" : Labels.time(s.nextAttempt())) + "\nLast error: "
                + (s.lastError() == null ? "none" : s.lastError()) + "\nRecent packets (sent / received):"
                + (recent.isEmpty() ? " none yet" : "") + String.join("", recent.stream().limit(5).map(r -> "\n  "
                        + Labels.time(r.at()) + "  #" + r.packetSent() + " " + r.changesSent() + " changes " + r.bytesSent()
                        + " B  /  #" + r.packetReceived() + " " + r.changesReceived() + " changes " + r.bytesReceived() + " B")
                        .toList()));
        if (s.serverUrl() != null && server.getText().isEmpty()) {
            server.setText(s.serverUrl());
        }
        debug.getParent().getParent().layout(true, true);
    }
}
