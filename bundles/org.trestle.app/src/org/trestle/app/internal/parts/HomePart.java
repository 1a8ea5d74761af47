package org.trestle.app.internal.parts;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import jakarta.annotation.PostConstruct;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.core.di.annotations.Optional;
import org.eclipse.e4.core.di.extensions.Service;
import org.eclipse.e4.ui.di.Focus;
import org.eclipse.e4.ui.di.UIEventTopic;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.resource.JFaceResources;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;
import org.osgi.service.event.Event;
import org.trestle.sync.api.EntityRow;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.SyncProtocol;
import org.trestle.sync.api.SyncService;
import org.trestle.sync.api.SyncTopics;

/**
 * The first part a user sees: what this workbench is and where its data lives.
 */
public class HomePart {

    /** Widget data key under which tests find the data-directory field. */
    public static final String DATA_DIRECTORY_FIELD = "trestle.home.dataDirectory";

    /** Widget data key under which tests find the label listing the scope roots held here. */
    public static final String HELD = "trestle.home.held";
    /** Roots named before the rest are only counted. */
    private static final int NAMED = 8;

    @Inject
    @Service
    SyncService sync;

    @Inject
    UISynchronize ui;

    private Text dataDirectory;
    private Label held;

    @PostConstruct
    public void create(Composite parent) {
        GridLayoutFactory.swtDefaults().numColumns(2).margins(16, 16).spacing(12, 8).applyTo(parent);

        Label title = new Label(parent, SWT.NONE);
        title.setText("Trestle");
        title.setFont(JFaceResources.getHeaderFont());
        GridDataFactory.swtDefaults().span(2, 1).applyTo(title);

        Label intro = new Label(parent, SWT.WRAP);
        intro.setText("Everything you work on here is kept on this computer and usable offline.");
        GridDataFactory.fillDefaults().span(2, 1).grab(true, false).applyTo(intro);

        new Label(parent, SWT.NONE).setText("Local data:");
        dataDirectory = new Text(parent, SWT.READ_ONLY | SWT.BORDER);
        dataDirectory.setText(ClientDataDirectory.resolve().toString());
        dataDirectory.setData(DATA_DIRECTORY_FIELD, Boolean.TRUE);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(dataDirectory);

        new Label(parent, SWT.NONE).setText("Schema version:");
        new Label(parent, SWT.NONE).setText(SyncProtocol.SCHEMA_VERSION);

        new Label(parent, SWT.NONE).setText("Held here:");
        held = new Label(parent, SWT.WRAP);
        held.setData(HELD, Boolean.TRUE);
        held.setText("…");
        GridDataFactory.fillDefaults().grab(true, false).applyTo(held);
        refreshHeld();
    }

    /** What arrives or leaves with a synchronization changes what this computer holds. */
    @Inject
    @Optional
    void onSync(@UIEventTopic(SyncTopics.COMPLETED) Event event) {
        if (held != null && !held.isDisposed()) {
            refreshHeld();
        }
    }

    /** Reads the scope roots held here in a job, never on the UI thread. */
    private void refreshHeld() {
        Job.create("Reading what this computer holds", (IProgressMonitor monitor) -> {
            String text = describeHeld();
            ui.asyncExec(() -> {
                if (!held.isDisposed()) {
                    held.setText(text);
                    held.getParent().layout();
                }
            });
            return Status.OK_STATUS;
        }).schedule();
    }

    /** @return for each scope root type, how many are held here and which, e.g. "Projects: 2 (HB-01, HB-02)" */
    private String describeHeld() {
        List<String> lines = new ArrayList<>();
        for (EntityTypeInfo type : sync.engine().entityTypes()) {
            if (!type.scopeRoot()) {
                continue;
            }
            List<EntityRow> rows = sync.engine().entities().list(type.name());
            List<String> titles = rows.stream().map(r -> org.trestle.app.parts.Labels.title(type, r.data())).sorted(
                    java.text.Collator.getInstance()).toList();
            List<String> names = titles.subList(0, Math.min(NAMED, titles.size()));
            String more = rows.size() > NAMED ? " and " + (rows.size() - NAMED) + " more" : "";
            lines.add(type.label() + ": " + rows.size() + (rows.isEmpty() ? "" : " (" + String.join(", ", names) + more + ")"));
        }
        return lines.isEmpty() ? "Everything this computer synchronizes" : String.join("\n", lines)
                + "\nThe administrator chooses which of them this computer receives.";
    }

    @Focus
    public void focus() {
        dataDirectory.setFocus();
    }

    /** The data directory the launcher chose, or the default one. */
    static final class ClientDataDirectory {
        private ClientDataDirectory() {
        }

        static Path resolve() {
            String configured = System.getProperty("trestle.data.dir");
            if (configured != null && !configured.isBlank()) {
                return Path.of(configured).toAbsolutePath().normalize();
            }
            return Path.of(System.getProperty("user.home"), ".trestle", "client");
        }
    }
}
