package org.trestle.app.internal.parts;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.core.di.annotations.Optional;
import org.eclipse.e4.core.di.extensions.Service;
import org.eclipse.e4.ui.di.UIEventTopic;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.e4.ui.model.application.MApplication;
import org.eclipse.e4.ui.model.application.ui.basic.MPart;
import org.eclipse.e4.ui.model.application.ui.basic.MWindow;
import org.eclipse.e4.ui.workbench.modeling.EModelService;
import org.eclipse.e4.ui.workbench.modeling.EPartService;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Link;
import org.eclipse.swt.widgets.Shell;
import org.osgi.service.event.Event;
import org.trestle.app.parts.EntityTablePart;
import org.trestle.app.parts.Labels;
import org.trestle.sync.api.ConflictReport;
import org.trestle.sync.api.EntityRow;
import org.trestle.sync.api.EntityStore;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.Resolution;
import org.trestle.sync.api.SyncService;
import org.trestle.sync.api.SyncTopics;

/**
 * Tells a person, in words and without a modal dialog, when a synchronization decided
 * against their edit: a small notice at the bottom right of the window says which record,
 * what happened, and leads to the record, whose history keeps their version to take back
 * (or to the Conflicts view, for a conflict that waits for them). Edits that were merged
 * or won need no notice. An addon of the application model.
 */
public class ConflictNotices {

    /** Widget data key of a notice's shell, for tests. */
    public static final String NOTICE = "trestle.notice";
    /** How long a notice stays when nobody touches it. */
    private static final int SHOWN_MS = 30_000;

    @Inject
    @Service
    SyncService sync;

    @Inject
    UISynchronize ui;

    @Inject
    MApplication application;

    @Inject
    EModelService models;

    private Shell shown;

    @Inject
    @Optional
    void onConflict(@UIEventTopic(SyncTopics.CONFLICT) Event event) {
        if (!(event.getProperty(SyncTopics.PROPERTY_REPORTS) instanceof List<?> reports)) {
            return;
        }
        List<ConflictReport> lost = new ArrayList<>();
        for (Object r : reports) {
            if (r instanceof ConflictReport c
                    && (c.resolution() == Resolution.SERVER_WINS || c.resolution() == Resolution.MANUAL_PENDING)) {
                lost.add(c);
            }
        }
        if (lost.isEmpty()) {
            return;
        }
        EntityStore entities = sync.engine().entities();
        Job.create("Describing conflicts", (IProgressMonitor monitor) -> {
            String text = describe(entities, lost);
            ConflictReport first = lost.get(0);
            boolean waiting = lost.stream().anyMatch(c -> c.resolution() == Resolution.MANUAL_PENDING);
            ui.asyncExec(() -> show(text, waiting ? null : first));
            return Status.OK_STATUS;
        }).schedule();
    }

    /** @return the notice's words: what happened to which record, and where the person's version is */
    static String describe(EntityStore entities, List<ConflictReport> lost) {
        List<String> lines = new ArrayList<>();
        for (ConflictReport c : lost.subList(0, Math.min(3, lost.size()))) {
            String record = name(entities, c);
            lines.add(c.resolution() == Resolution.MANUAL_PENDING
                    ? "Your change to " + record + " and another computer's change to it wait for you in Conflicts."
                    : "Your change to " + record + " was replaced: the office had changed the same fields first."
                            + " Your other changes were kept, and your version is in the record's history,"
                            + " where you can take it back.");
        }
        if (lost.size() > 3) {
            lines.add("And " + (lost.size() - 3) + " more.");
        }
        return String.join("\n", lines);
    }

    private static String name(EntityStore entities, ConflictReport c) {
        EntityTypeInfo type = entities.type(c.entityType()).orElse(null);
        if (type == null) {
            return "a record of type " + c.entityType();
        }
        java.util.Optional<EntityRow> row = entities.find(c.entityType(), c.entityUuid());
        return type.label().toLowerCase(java.util.Locale.ROOT) + " "
                + row.map(r -> Labels.title(type, r.data())).orElse(c.entityUuid());
    }

    private void show(String text, ConflictReport open) {
        MWindow window = application.getSelectedElement() != null ? application.getSelectedElement()
                : application.getChildren().isEmpty() ? null : application.getChildren().get(0);
        if (window == null || !(window.getWidget() instanceof Shell parent) || parent.isDisposed()) {
            return;
        }
        if (shown != null && !shown.isDisposed()) {
            shown.close();
        }
        Shell notice = new Shell(parent, SWT.TOOL | SWT.ON_TOP | SWT.TITLE | SWT.CLOSE);
        notice.setText("Synchronization");
        notice.setData(NOTICE, Boolean.TRUE);
        GridLayoutFactory.swtDefaults().margins(12, 10).applyTo(notice);
        Label words = new Label(notice, SWT.WRAP);
        words.setText(text);
        GridDataFactory.fillDefaults().grab(true, false).hint(360, SWT.DEFAULT).applyTo(words);
        Link link = new Link(notice, SWT.NONE);
        link.setText(open == null ? "<a>Open Conflicts</a>" : "<a>Show the record and its history</a>");
        link.addListener(SWT.Selection, e -> {
            notice.close();
            if (open == null) {
                showPart(window, "org.trestle.app.part.conflicts", null);
            } else {
                showRecord(window, open);
            }
        });
        notice.pack();
        Rectangle area = parent.getBounds();
        org.eclipse.swt.graphics.Point size = notice.getSize();
        notice.setLocation(area.x + area.width - size.x - 16, area.y + area.height - size.y - 48);
        notice.setVisible(true);
        shown = notice;
        notice.getDisplay().timerExec(SHOWN_MS, () -> {
            if (!notice.isDisposed()) {
                notice.close();
            }
        });
    }

    private void showRecord(MWindow window, ConflictReport c) {
        for (MPart part : models.findElements(window, null, MPart.class)) {
            if (c.entityType().equals(part.getPersistedState().get(EntityTablePart.ENTITY_TYPE))) {
                showPart(window, part.getElementId(), c.entityUuid());
                return;
            }
        }
    }

    private static void showPart(MWindow window, String id, String uuid) {
        EPartService parts = window.getContext().get(EPartService.class);
        MPart part = parts.showPart(id, EPartService.PartState.ACTIVATE);
        if (uuid != null && part != null && part.getObject() instanceof EntityTablePart table) {
            table.showRecord(uuid);
        }
    }
}
