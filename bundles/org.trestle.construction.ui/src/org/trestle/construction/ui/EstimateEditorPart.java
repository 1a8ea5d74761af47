package org.trestle.construction.ui;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.core.di.annotations.Optional;
import org.eclipse.e4.core.di.extensions.Service;
import org.eclipse.e4.ui.di.Focus;
import org.eclipse.e4.ui.di.Persist;
import org.eclipse.e4.ui.di.UIEventTopic;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.e4.ui.model.application.ui.MDirtyable;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.CellEditor;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.EditingSupport;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.jface.viewers.TextCellEditor;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;
import org.osgi.service.event.Event;
import org.trestle.sync.api.EntityRow;
import org.trestle.sync.api.EntityStore;
import org.trestle.sync.api.EntityWrite;
import org.trestle.sync.api.SyncService;
import org.trestle.sync.api.SyncTopics;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The estimator's editor: an estimate's header and its items, edited in place, the
 * total kept current while typing. Changes are saved together (Save or Ctrl+S) through
 * the e4 dirty/save mechanism, in one transaction. The database is read and written in
 * jobs, never on the UI thread; results come back through {@link UISynchronize}.
 */
public class EstimateEditorPart {

    public static final String CHOOSER = "trestle.estimate.chooser";
    public static final String ITEMS = "trestle.estimate.items";
    public static final String TOTAL = "trestle.estimate.total";
    public static final String MESSAGE = "trestle.estimate.message";

    private static final String[] TITLES = { "Pos", "Description", "Unit", "Quantity", "Unit price" };

    @Inject
    @Service
    SyncService sync;

    @Inject
    MDirtyable dirty;

    @Inject
    UISynchronize ui;

    private Combo chooser;
    private final List<String> estimates = new ArrayList<>();
    private String estimate;
    private Text title;
    private Combo status;
    private Text notes;
    private TableViewer items;
    private final List<ItemRow> rows = new ArrayList<>();
    private Label total;
    private Label message;
    private boolean loading;
    /** True from the moment an estimate is chosen until its rows have arrived: nothing is editable meanwhile. */
    private boolean pending;
    private final List<Control> editing = new ArrayList<>();
    /** Counts the loads started, so that an earlier one finishing late does not replace a later one. */
    private int opening;

    @PostConstruct
    public void create(Composite parent) {
        GridLayoutFactory.swtDefaults().numColumns(4).applyTo(parent);
        new Label(parent, SWT.NONE).setText("Estimate:");
        chooser = new Combo(parent, SWT.DROP_DOWN | SWT.READ_ONLY);
        chooser.setData(CHOOSER, Boolean.TRUE);
        GridDataFactory.fillDefaults().grab(true, false).span(3, 1).applyTo(chooser);
        chooser.addListener(SWT.Selection, e -> open(chooser.getSelectionIndex()));

        new Label(parent, SWT.NONE).setText("Title:");
        title = new Text(parent, SWT.BORDER);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(title);
        new Label(parent, SWT.NONE).setText("Status:");
        status = new Combo(parent, SWT.DROP_DOWN | SWT.READ_ONLY);
        for (String s : new String[] { "DRAFT", "SUBMITTED", "APPROVED", "REJECTED" }) {
            status.add(s);
        }
        new Label(parent, SWT.NONE).setText("Notes:");
        notes = new Text(parent, SWT.BORDER | SWT.MULTI | SWT.WRAP | SWT.V_SCROLL);
        GridDataFactory.fillDefaults().grab(true, false).span(3, 1).hint(SWT.DEFAULT, 48).applyTo(notes);
        title.addModifyListener(e -> changed());
        notes.addModifyListener(e -> changed());
        status.addListener(SWT.Selection, e -> changed());

        items = new TableViewer(parent, SWT.BORDER | SWT.FULL_SELECTION);
        items.getTable().setData(ITEMS, Boolean.TRUE);
        items.getTable().setHeaderVisible(true);
        items.getTable().setLinesVisible(true);
        items.setContentProvider(ArrayContentProvider.getInstance());
        for (int i = 0; i < ItemRow.COLUMNS; i++) {
            int column = i;
            TableViewerColumn c = new TableViewerColumn(items, SWT.NONE);
            c.getColumn().setText(TITLES[i]);
            c.getColumn().setWidth(i == 0 ? 50 : i == 1 ? 260 : 90);
            c.setLabelProvider(new ColumnLabelProvider() {
                @Override
                public String getText(Object element) {
                    return ((ItemRow) element).values[column];
                }
            });
            c.setEditingSupport(new EditingSupport(items) {
                @Override
                protected CellEditor getCellEditor(Object element) {
                    return new TextCellEditor(items.getTable());
                }

                @Override
                protected boolean canEdit(Object element) {
                    return true;
                }

                @Override
                protected Object getValue(Object element) {
                    return ((ItemRow) element).values[column];
                }

                @Override
                protected void setValue(Object element, Object value) {
                    ((ItemRow) element).values[column] = String.valueOf(value);
                    items.update(element, null);
                    changed();
                }
            });
        }
        TableViewerColumn line = new TableViewerColumn(items, SWT.RIGHT);
        line.getColumn().setText("Line total");
        line.getColumn().setWidth(110);
        line.setLabelProvider(new ColumnLabelProvider() {
            @Override
            public String getText(Object element) {
                BigDecimal t = ((ItemRow) element).lineTotal();
                return t == null ? "?" : t.setScale(2, RoundingMode.HALF_UP).toPlainString();
            }
        });
        GridDataFactory.fillDefaults().grab(true, true).span(4, 1).applyTo(items.getControl());

        Composite bottom = new Composite(parent, SWT.NONE);
        GridLayoutFactory.fillDefaults().numColumns(5).applyTo(bottom);
        GridDataFactory.fillDefaults().grab(true, false).span(4, 1).applyTo(bottom);
        editing.add(button(bottom, "Add item", this::addItem));
        editing.add(button(bottom, "Remove item", this::removeItem));
        editing.add(button(bottom, "Save", () -> save()));
        editing.addAll(List.of(title, status, notes, items.getControl()));
        total = new Label(bottom, SWT.NONE);
        total.setData(TOTAL, Boolean.TRUE);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(total);
        message = new Label(bottom, SWT.WRAP);
        message.setData(MESSAGE, Boolean.TRUE);
        message.setForeground(parent.getDisplay().getSystemColor(SWT.COLOR_DARK_RED));
        GridDataFactory.fillDefaults().grab(true, false).span(5, 1).applyTo(message);
        refreshChoices(false);
    }

    private static Button button(Composite parent, String text, Runnable action) {
        Button b = new Button(parent, SWT.PUSH);
        b.setText(text);
        b.addListener(SWT.Selection, e -> action.run());
        return b;
    }

    private EntityStore engine() {
        return sync.engine().entities();
    }

    /** Runs database work in a job and hands its result to the UI thread, unless the part is gone. */
    private <T> void inBackground(String name, java.util.function.Supplier<T> work, java.util.function.Consumer<T> then) {
        Job.create(name, (IProgressMonitor monitor) -> {
            T result = work.get();
            ui.asyncExec(() -> {
                if (!chooser.isDisposed()) {
                    then.accept(result);
                }
            });
            return Status.OK_STATUS;
        }).schedule();
    }

    /** Reads the estimates for the chooser; then opens the current one again when {@code reopen}. */
    private void refreshChoices(boolean reopen) {
        inBackground("Loading estimates", () -> engine().list("Estimate"), list -> {
            String current = estimate;
            chooser.removeAll();
            estimates.clear();
            for (EntityRow entry : list) {
                ObjectNode data = entry.data();
                chooser.add(data.path("number").asText() + "  " + data.path("title").asText());
                estimates.add(entry.uuid());
            }
            int index = estimates.indexOf(current);
            if (index >= 0) {
                chooser.select(index);
                if (reopen && !dirty.isDirty()) { // edits made while the list was read are kept
                    open(index);
                }
            } else if (current == null && !estimates.isEmpty()) {
                chooser.select(0); // open the first estimate rather than an empty form
                open(0);
            } else {
                updateTotal();
            }
        });
    }

    private void open(int index) {
        if (index < 0 || index >= estimates.size()) {
            return;
        }
        String chosen = estimates.get(index);
        estimate = chosen;
        int serial = ++opening;
        // until the rows arrive nothing can be edited, so no edit is ever replaced by the load
        pending = true;
        editing.forEach(c -> c.setEnabled(false));
        total.setText("Loading…");
        inBackground("Loading an estimate", () -> EstimateData.load(engine(), chosen), loaded -> {
            if (serial != opening) {
                return; // opened again meanwhile: only the latest load is shown
            }
            pending = false;
            editing.forEach(c -> c.setEnabled(true));
            loading = true;
            ObjectNode header = loaded.header();
            title.setText(header.path("title").asText(""));
            status.setText(header.path("status").asText("DRAFT"));
            notes.setText(header.path("notes").isNull() ? "" : header.path("notes").asText(""));
            rows.clear();
            rows.addAll(loaded.rows());
            showRows();
            message.setText("");
            loading = false;
            dirty.setDirty(false);
        });
    }

    private void showRows() {
        items.setInput(rows.stream().filter(r -> !r.deleted).toList());
        updateTotal();
    }

    private void addItem() {
        if (pending) {
            return;
        }
        if (estimate == null) {
            message.setText("Choose an estimate first.");
            return;
        }
        ItemRow row = new ItemRow();
        row.values[0] = String.valueOf(rows.stream().filter(r -> !r.deleted).mapToInt(r -> EstimateData.position(r)).max()
                .orElse(0) + 1);
        row.values[1] = "";
        row.values[2] = "pcs";
        row.values[3] = "1";
        row.values[4] = "0.00";
        rows.add(row);
        showRows();
        changed();
        items.editElement(row, 1);
    }

    private void removeItem() {
        if (pending) {
            return;
        }
        Object selected = ((IStructuredSelection) items.getSelection()).getFirstElement();
        if (selected instanceof ItemRow row) {
            row.deleted = true;
            showRows();
            changed();
        }
    }

    private void changed() {
        if (!loading && estimate != null) {
            dirty.setDirty(true);
            updateTotal();
        }
    }

    private void updateTotal() {
        BigDecimal sum = BigDecimal.ZERO;
        for (ItemRow r : rows) {
            if (!r.deleted && r.lineTotal() != null) {
                sum = sum.add(r.lineTotal());
            }
        }
        total.setText("Total: " + sum.setScale(2, RoundingMode.HALF_UP).toPlainString());
        total.getParent().layout();
    }

    /** Saves header and items together; on a broken rule nothing is saved and the message says what. */
    @Persist
    public void save() {
        if (estimate == null || pending || !dirty.isDirty()) {
            return;
        }
        List<EntityWrite> puts;
        try {
            puts = EstimateData.writes(estimate, title.getText(), status.getText(), notes.getText(), rows);
        } catch (IllegalArgumentException e) {
            message.setText(e.getMessage());
            return;
        }
        // the part stays dirty until the write has committed, so nothing is lost meanwhile
        inBackground("Saving the estimate", () -> {
            try {
                engine().putAll(puts);
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }, refusal -> {
            if (refusal != null) {
                message.setText("Not saved: " + refusal);
                return;
            }
            message.setText("");
            dirty.setDirty(false);
            refreshChoices(true);
        });
    }

    @Inject
    @Optional
    void onSyncEvent(@UIEventTopic(SyncTopics.COMPLETED) Event event) {
        if (chooser != null && !chooser.isDisposed() && !dirty.isDirty()) {
            refreshChoices(true);
        }
    }

    @Focus
    public void focus() {
        if (!dirty.isDirty()) {
            refreshChoices(false);
        }
        chooser.setFocus();
    }
}
