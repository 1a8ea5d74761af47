package org.trestle.app.internal.parts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.core.di.annotations.Optional;
import org.eclipse.e4.core.di.extensions.Service;
import org.eclipse.e4.ui.di.UIEventTopic;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.e4.ui.model.application.ui.basic.MPart;
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
import org.trestle.app.parts.CellTips;
import org.trestle.app.parts.Labels;
import org.trestle.sync.api.AttributeInfo;
import org.trestle.sync.api.ConflictRecord;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncService;
import org.trestle.sync.api.SyncTopics;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Open conflicts of any entity type. Selecting one shows this computer's version and
 * the server's side by side, attribute by attribute, with the differences marked, and
 * the result: per attribute the person takes one side or types a value, then resolves;
 * the decision reaches every node with the next sync.
 */
public class ConflictsPart {

    public static final String LIST = "trestle.conflicts.list";
    public static final String COMPARE = "trestle.conflicts.compare";
    /** Marks attributes whose two versions differ: a light amber any theme keeps readable. */
    private static final Color DIFFERENT = new Color(255, 236, 179);

    public static final String PROBLEM = "trestle.conflicts.problem";
    public static final String RESULT_EDITOR = "trestle.conflicts.resultEditor";


    @Inject
    @Service
    SyncService sync;

    @Inject
    UISynchronize ui;

    @Inject
    @Optional
    MPart part;

    private Table list;
    private Table compare;
    private Label heading;
    private Label problem;
    private Button takeMine;
    private Button takeServer;
    private Button resolve;
    private final List<ConflictRecord> conflicts = new ArrayList<>();
    private final List<AttributeInfo> rows = new ArrayList<>();
    /** What the list shows, with each entity as it is here now and the titles references point at. */
    private ConflictsRead read = new ConflictsRead(List.of(), Map.of(), Map.of(), Map.of());
    private ObjectNode mine;
    private ObjectNode server;
    private ObjectNode result;
    private Label typedLabel;
    private org.eclipse.swt.widgets.Text typed;
    /** Whether conflicts waited when the list was last shown; {@code null} before it was. */
    private Boolean waited;
    /** The conflict whose result is being edited: a reload keeps the person's choices. */
    private String editing;

    @PostConstruct
    public void create(Composite parent) {
        GridLayoutFactory.fillDefaults().margins(6, 6).applyTo(parent);
        SashForm sash = new SashForm(parent, SWT.VERTICAL);
        GridDataFactory.fillDefaults().grab(true, true).applyTo(sash);
        list = new Table(sash, SWT.BORDER | SWT.FULL_SELECTION | SWT.SINGLE);
        list.setData(LIST, Boolean.TRUE);
        list.setHeaderVisible(true);
        for (String title : new String[] { "Type", "Record", "Arrived", "From", "State" }) {
            TableColumn c = new TableColumn(list, SWT.NONE);
            c.setText(title);
            c.setWidth(title.equals("Type") || title.equals("Resolution") ? 90 : 130);
        }
        list.addListener(SWT.Selection, e -> showSelected());

        Composite detail = new Composite(sash, SWT.NONE);
        GridLayoutFactory.fillDefaults().numColumns(3).applyTo(detail);
        heading = new Label(detail, SWT.WRAP);
        GridDataFactory.fillDefaults().grab(true, false).span(3, 1).applyTo(heading);
        takeMine = new Button(detail, SWT.PUSH);
        takeMine.setText("Take this computer's");
        takeMine.setToolTipText("For the selected attributes (all, when none is selected)");
        takeMine.addListener(SWT.Selection, e -> take(true));
        takeServer = new Button(detail, SWT.PUSH);
        takeServer.setText("Take the server's");
        takeServer.setToolTipText("For the selected attributes (all, when none is selected)");
        takeServer.addListener(SWT.Selection, e -> take(false));
        resolve = new Button(detail, SWT.PUSH);
        resolve.setText("Resolve");
        resolve.setToolTipText("Keep the Result column; it reaches every computer with the next sync");
        resolve.addListener(SWT.Selection, e -> resolveWithResult());
        GridDataFactory.swtDefaults().align(SWT.END, SWT.CENTER).grab(true, false).applyTo(resolve);
        compare = new Table(detail, SWT.BORDER | SWT.FULL_SELECTION | SWT.MULTI);
        compare.setData(COMPARE, Boolean.TRUE);
        compare.setHeaderVisible(true);
        compare.setLinesVisible(true);
        for (String title : new String[] { "Attribute", "This computer", "Server", "Result" }) {
            TableColumn c = new TableColumn(compare, SWT.NONE);
            c.setText(title);
            c.setWidth(title.equals("Attribute") ? 110 : 120);
        }
        GridDataFactory.fillDefaults().grab(true, true).span(3, 1).applyTo(compare);
        CellTips.install(compare);
        CellTips.install(list);
        createTypedValue(detail);
        problem = new Label(detail, SWT.WRAP);
        problem.setData(PROBLEM, Boolean.TRUE);
        problem.setForeground(parent.getDisplay().getSystemColor(SWT.COLOR_DARK_RED));
        GridDataFactory.fillDefaults().grab(true, false).span(3, 1).applyTo(problem);
        sash.setWeights(1, 2);
        reload();
    }

    private void reload() {
        Job.create("Loading conflicts", (IProgressMonitor monitor) -> {
            ConflictsRead read = ConflictsRead.read(sync);
            ui.asyncExec(() -> show(read));
            return Status.OK_STATUS;
        }).schedule();
    }

    private void show(ConflictsRead read) {
        if (list.isDisposed()) {
            return;
        }
        this.read = read;
        List<ConflictRecord> open = read.open();
        Map<String, String> codes = read.codes();
        String selected = list.getSelectionIndex() >= 0 && list.getSelectionIndex() < conflicts.size()
                ? conflicts.get(list.getSelectionIndex()).versionId() : null;
        conflicts.clear();
        conflicts.addAll(open);
        list.removeAll();
        int keep = 0;
        for (ConflictRecord c : open) {
            TableItem item = new TableItem(list, SWT.NONE);
            var type = sync.engine().entities().type(c.entityType());
            ObjectNode data = c.data() != null ? c.data() : c.otherData();
            String record = type.isEmpty() || data == null ? c.entityUuid() : Labels.title(type.get(), data);
            item.setText(new String[] { Labels.typeLabel(type, c.entityType()), record, Labels.time(c.arrivedAt()),
                    c.sourceNode() == null ? "" : codes.getOrDefault(c.sourceNode(), "another computer"), Labels.resolution(c.resolution(), c.open()) });
            if (c.versionId().equals(selected)) {
                keep = list.getItemCount() - 1;
            }
        }
        if (!open.isEmpty()) {
            list.select(keep);
        }
        showSelected();
        widen(!open.isEmpty());
    }

    /**
     * The view takes room beside the tables when conflicts start to wait, and gives it back
     * when none is left; in between, the width a person gave it stays.
     */
    private void widen(boolean conflictsWait) {
        boolean changed = waited != null ? waited != conflictsWait : conflictsWait;
        waited = conflictsWait;
        if (changed && part != null && part.getParent() != null && part.getParent().getParent() != null) {
            var stacks = part.getParent().getParent().getChildren();
            for (var stack : stacks) {
                boolean side = stack == part.getParent();
                stack.setContainerData(side ? (conflictsWait ? "40" : "28") : (conflictsWait ? "60" : "72"));
            }
        }
    }

    private void showSelected() {
        compare.removeAll();
        rows.clear();
        int index = list.getSelectionIndex();
        boolean some = index >= 0 && index < conflicts.size();
        takeMine.setEnabled(some);
        takeServer.setEnabled(some);
        resolve.setEnabled(some);
        if (!some) {
            result = null;
            editing = null;
            heading.setText(conflicts.isEmpty() ? "No open conflicts" : "Select a conflict");
            heading.getParent().layout();
            return;
        }
        ConflictRecord c = conflicts.get(index);
        SyncEngine engine = sync.engine();
        EntityTypeInfo type = engine.entities().type(c.entityType()).orElse(null);
        mine = c.data();
        ObjectNode current = read.current().get(c.versionId());
        server = current == null ? c.otherData() : current;
        if (result == null || !c.versionId().equals(editing)) {
            result = server == null ? (mine == null ? null : mine.deepCopy()) : server.deepCopy();
            editing = c.versionId();
            problem.setText("");
            typedLabel.setText("Own value:");
            typed.setText("");
        }
        ObjectNode named = mine != null ? mine : server;
        heading.setText(Labels.typeLabel(java.util.Optional.ofNullable(type), c.entityType()) + " "
                + (type == null || named == null ? c.entityUuid() : Labels.title(type, named))
                + ": take a side per attribute or type your own value, then Resolve");
        if (type != null) {
            for (AttributeInfo a : Labels.ordered(engine.entities().attributes(type.name()))) {
                rows.add(a);
                new TableItem(compare, SWT.NONE);
            }
        }
        refreshRows();
        heading.getParent().layout();
    }

    private void refreshRows() {
        Color changed = DIFFERENT;
        for (int i = 0; i < rows.size(); i++) {
            AttributeInfo a = rows.get(i);
            String left = read.shown(mine, a);
            String right = read.shown(server, a);
            String chosen = read.shown(result, a);
            TableItem item = compare.getItem(i);
            item.setText(new String[] { Labels.of(a.name()), left, right, chosen });
            item.setBackground(Objects.equals(left, right) ? null : changed);
        }
    }

    /** Copies the selected attributes (all, when none is selected) from one side into the result. */
    private void take(boolean fromMine) {
        ObjectNode from = fromMine ? mine : server;
        if (from == null || result == null) {
            return;
        }
        int[] selected = compare.getSelectionIndices();
        if (selected.length == 0) {
            selected = IntStream.range(0, rows.size()).toArray();
        }
        for (int i : selected) {
            String name = rows.get(i).name();
            if (from.has(name)) {
                result.set(name, from.get(name).deepCopy());
            } else {
                result.remove(name);
            }
        }
        problem.setText("");
        refreshRows();
    }

    /** A value of the person's own for the selected attribute. */
    private void createTypedValue(Composite detail) {
        Composite row = new Composite(detail, SWT.NONE);
        GridLayoutFactory.fillDefaults().numColumns(3).applyTo(row);
        GridDataFactory.fillDefaults().grab(true, false).span(3, 1).applyTo(row);
        typedLabel = new Label(row, SWT.NONE);
        typedLabel.setText("Own value:");
        typed = new org.eclipse.swt.widgets.Text(row, SWT.BORDER);
        typed.setData(RESULT_EDITOR, Boolean.TRUE);
        typed.setMessage("select an attribute, type, press Enter");
        GridDataFactory.fillDefaults().grab(true, false).applyTo(typed);
        Button use = new Button(row, SWT.PUSH);
        use.setText("Use this value");
        use.addListener(SWT.Selection, e -> useTyped());
        typed.addListener(SWT.DefaultSelection, e -> useTyped());
        compare.addListener(SWT.Selection, e -> {
            int index = compare.getSelectionIndex();
            if (index >= 0 && index < rows.size() && result != null) {
                typedLabel.setText(Labels.of(rows.get(index).name()) + ":");
                typed.setText(Labels.shown(result, rows.get(index)));
                row.layout();
            }
        });
    }

    private void useTyped() {
        int index = compare.getSelectionIndex();
        if (index < 0 || index >= rows.size() || result == null) {
            problem.setText("Select the attribute the value is for");
            problem.getParent().layout();
            return;
        }
        AttributeInfo a = rows.get(index);
        String text = typed.getText();
        try {
            result.set(a.name(), Labels.typed(a, text)); // amounts and dates as the locale writes them
            problem.setText("");
        } catch (IllegalArgumentException ex) {
            problem.setText(Labels.of(a.name()) + ": " + ex.getMessage());
        }
        refreshRows();
        problem.getParent().layout();
    }

    private void resolveWithResult() {
        int index = list.getSelectionIndex();
        if (index < 0 || index >= conflicts.size() || result == null) {
            return;
        }
        ConflictRecord c = conflicts.get(index);
        ObjectNode decided = result.deepCopy();
        Job.create("Resolving a conflict", (IProgressMonitor monitor) -> {
            String refusal = null;
            try {
                sync.resolveConflict(c.versionId(), decided);
            } catch (RuntimeException e) {
                refusal = e.getMessage();
            }
            String outcome = refusal;
            ui.asyncExec(() -> {
                if (list.isDisposed()) {
                    return;
                }
                if (outcome != null) {
                    // a typed value that breaks a rule: nothing is stored, the person corrects it
                    problem.setText("Not resolved: " + outcome);
                    problem.getParent().layout();
                    return;
                }
                reload();
            });
            return Status.OK_STATUS;
        }).schedule();
    }

    @Inject
    @Optional
    void onSyncEvent(@UIEventTopic(SyncTopics.ALL) Event event) {
        if (list != null && !list.isDisposed() && !SyncTopics.PROGRESS.equals(event.getTopic())) {
            reload();
        }
    }
}
