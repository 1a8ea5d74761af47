package org.trestle.app.internal.parts;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.osgi.service.event.Event;
import org.trestle.sync.api.ConflictRecord;
import org.trestle.sync.api.SyncService;
import org.trestle.sync.api.SyncTopics;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.core.internal.EntityCodec.AttributeCodec;
import org.trestle.sync.core.internal.EntityCodec.TypeCodec;
import org.trestle.sync.core.internal.NodeEngine;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Open conflicts of any entity type. Selecting one shows this computer's version and
 * the server's side by side, attribute by attribute, with the differences marked; the
 * person keeps one of them, and the decision reaches every node with the next sync.
 */
public class ConflictsPart {

    public static final String LIST = "trestle.conflicts.list";
    public static final String COMPARE = "trestle.conflicts.compare";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());

    @Inject
    @Service
    SyncService sync;

    @Inject
    UISynchronize ui;

    private Table list;
    private Table compare;
    private Label heading;
    private Button keepMine;
    private Button keepServer;
    private final List<ConflictRecord> conflicts = new ArrayList<>();
    private ObjectNode mine;
    private ObjectNode server;

    @PostConstruct
    public void create(Composite parent) {
        GridLayoutFactory.fillDefaults().margins(6, 6).applyTo(parent);
        SashForm sash = new SashForm(parent, SWT.VERTICAL);
        GridDataFactory.fillDefaults().grab(true, true).applyTo(sash);
        list = new Table(sash, SWT.BORDER | SWT.FULL_SELECTION | SWT.SINGLE);
        list.setData(LIST, Boolean.TRUE);
        list.setHeaderVisible(true);
        for (String title : new String[] { "Type", "Record", "Arrived", "Resolution" }) {
            TableColumn c = new TableColumn(list, SWT.NONE);
            c.setText(title);
            c.setWidth(170);
        }
        list.addListener(SWT.Selection, e -> showSelected());

        Composite detail = new Composite(sash, SWT.NONE);
        GridLayoutFactory.fillDefaults().numColumns(3).applyTo(detail);
        heading = new Label(detail, SWT.NONE);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(heading);
        keepMine = new Button(detail, SWT.PUSH);
        keepMine.setText("Keep this computer's version");
        keepMine.addListener(SWT.Selection, e -> resolve(mine));
        keepServer = new Button(detail, SWT.PUSH);
        keepServer.setText("Keep the server's version");
        keepServer.addListener(SWT.Selection, e -> resolve(server));
        compare = new Table(detail, SWT.BORDER | SWT.FULL_SELECTION);
        compare.setData(COMPARE, Boolean.TRUE);
        compare.setHeaderVisible(true);
        compare.setLinesVisible(true);
        for (String title : new String[] { "Attribute", "This computer", "Server" }) {
            TableColumn c = new TableColumn(compare, SWT.NONE);
            c.setText(title);
            c.setWidth(230);
        }
        GridDataFactory.fillDefaults().grab(true, true).span(3, 1).applyTo(compare);
        sash.setWeights(1, 2);
        reload();
    }

    private void reload() {
        Job.create("Loading conflicts", (IProgressMonitor monitor) -> {
            List<ConflictRecord> open = sync.openConflicts();
            ui.asyncExec(() -> show(open));
            return Status.OK_STATUS;
        }).schedule();
    }

    private void show(List<ConflictRecord> open) {
        if (list.isDisposed()) {
            return;
        }
        conflicts.clear();
        conflicts.addAll(open);
        list.removeAll();
        for (ConflictRecord c : open) {
            TableItem item = new TableItem(list, SWT.NONE);
            String record = c.data() == null ? c.entityUuid() : Labels.title(c.data());
            item.setText(new String[] { c.entityType(), record, TIME.format(c.arrivedAt()), c.resolution().wireName() });
        }
        if (!open.isEmpty()) {
            list.select(0);
        }
        showSelected();
    }

    private void showSelected() {
        compare.removeAll();
        int index = list.getSelectionIndex();
        boolean some = index >= 0 && index < conflicts.size();
        keepMine.setEnabled(some);
        keepServer.setEnabled(some);
        if (!some) {
            heading.setText(conflicts.isEmpty() ? "No open conflicts" : "Select a conflict");
            return;
        }
        ConflictRecord c = conflicts.get(index);
        NodeEngine engine = (NodeEngine) sync.engine();
        TypeCodec type = engine.codec().type(c.entityType());
        mine = c.data();
        SyncEntity current = type == null ? null : engine.read(em -> em.find(type.info().type(), c.entityUuid()));
        server = current == null ? c.otherData() : engine.serialize(current);
        heading.setText(c.entityType() + " " + (mine == null ? c.entityUuid() : Labels.title(mine)) + ": which version stays?");
        Color changed = compare.getDisplay().getSystemColor(SWT.COLOR_INFO_BACKGROUND);
        if (type != null) {
            for (AttributeCodec a : Labels.ordered(type.attributes())) {
                String left = mine == null ? "" : Labels.value(mine, a);
                String right = server == null ? "" : Labels.value(server, a);
                TableItem item = new TableItem(compare, SWT.NONE);
                item.setText(new String[] { Labels.of(a.name()), left, right });
                if (!Objects.equals(left, right)) {
                    item.setBackground(changed);
                }
            }
        }
        heading.getParent().layout();
    }

    private void resolve(ObjectNode data) {
        int index = list.getSelectionIndex();
        if (index < 0 || data == null) {
            return;
        }
        ConflictRecord c = conflicts.get(index);
        sync.resolveConflict(c.versionId(), data);
        reload();
    }

    @Inject
    @Optional
    void onSyncEvent(@UIEventTopic(SyncTopics.ALL) Event event) {
        if (list != null && !list.isDisposed() && !SyncTopics.PROGRESS.equals(event.getTopic())) {
            reload();
        }
    }
}
