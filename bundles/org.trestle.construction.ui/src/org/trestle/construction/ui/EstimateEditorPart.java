package org.trestle.construction.ui;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;

import org.eclipse.e4.core.di.annotations.Optional;
import org.eclipse.e4.core.di.extensions.Service;
import org.eclipse.e4.ui.di.Focus;
import org.eclipse.e4.ui.di.Persist;
import org.eclipse.e4.ui.di.UIEventTopic;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.e4.ui.model.application.ui.MDirtyable;
import org.eclipse.e4.ui.model.application.ui.basic.MPart;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.printing.PrinterData;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.osgi.service.event.Event;
import org.trestle.app.parts.Amounts;
import org.trestle.app.parts.EntityTablePart;
import org.trestle.app.parts.SavePrompt;
import org.trestle.app.parts.Undoable;
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
    public static final String PRICE_LIST = "trestle.estimate.priceList";

    /** The title of the question asked before an edit that is not saved would be left. */
    public static final String SAVE_PROMPT = SavePrompt.TITLE;

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
    private HeaderFields fields;
    private ItemsTable items;
    /** The estimate's currency, as its header holds it: the total is shown in it. */
    private String currency = "EUR";
    /** The open estimate as read, and the projects' names by uuid: the PDF names them. */
    private ObjectNode header;
    private Map<String, String> projectNames = Map.of();
    private Label total;
    private Label message;
    private boolean loading;
    /** True from the moment a save is handed to its job until its answer is shown. */
    private boolean saving;
    private PriceList priceList;
    /** An estimate asked to be opened before the chooser held it. */
    private String wanted;
    private final EstimateUndo undo = new EstimateUndo(this::state, this::restore, () -> this.pending);
    /** True from the moment an estimate is chosen until its rows have arrived: nothing is editable meanwhile. */
    private boolean pending;
    private final List<Control> editing = new ArrayList<>();
    /** Counts the loads started, so that an earlier one finishing late does not replace a later one. */
    private int opening;

    @PostConstruct
    public void create(Composite parent, MPart part) {
        part.getTransientData().put(Undoable.KEY, undo);
        GridLayoutFactory.swtDefaults().numColumns(4).applyTo(parent);
        new Label(parent, SWT.NONE).setText("Estimate:");
        chooser = new Combo(parent, SWT.DROP_DOWN | SWT.READ_ONLY);
        chooser.setData(CHOOSER, Boolean.TRUE);
        GridDataFactory.fillDefaults().grab(true, false).span(3, 1).applyTo(chooser);
        chooser.addListener(SWT.Selection, e -> choose(chooser.getSelectionIndex()));

        fields = new HeaderFields(parent, this::changed);

        items = new ItemsTable(parent, () -> changed(null));
        GridDataFactory.fillDefaults().grab(true, true).span(4, 1).applyTo(items.control());

        Composite bottom = new Composite(parent, SWT.NONE);
        GridLayoutFactory.fillDefaults().numColumns(8).applyTo(bottom);
        GridDataFactory.fillDefaults().grab(true, false).span(4, 1).applyTo(bottom);
        editing.add(Widgets.button(bottom, "Add item", this::addItem));
        priceList = new PriceList(bottom, m -> addItem(m.path("name").asText(""), m.path("unit").asText("pcs"),
                Amounts.shown(m.path("unitPrice").asText("0.00"))));
        editing.add(priceList.control());
        editing.add(Widgets.button(bottom, "Remove item", this::removeItem));
        editing.add(Widgets.button(bottom, "Save", () -> save()));
        editing.addAll(EstimateOutput.buttons(bottom, this::output, t -> message.setText(t)));
        editing.addAll(fields.controls());
        editing.add(items.control());
        total = new Label(bottom, SWT.NONE);
        total.setData(TOTAL, Boolean.TRUE);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(total);
        message = new Label(bottom, SWT.WRAP);
        message.setData(MESSAGE, Boolean.TRUE);
        message.setForeground(parent.getDisplay().getSystemColor(SWT.COLOR_DARK_RED));
        GridDataFactory.fillDefaults().grab(true, false).span(8, 1).applyTo(message);
        refreshChoices(false);
    }

    private EntityStore engine() {
        return sync.engine().entities();
    }

    /** Reads the estimates for the chooser; then opens the current one again when {@code reopen}. */
    private void refreshChoices(boolean reopen) {
        priceList.reload(engine(), ui);
        Widgets.inBackground(ui, chooser, "Loading estimates", () -> Map.of("Estimate", engine().list("Estimate"), "Project",
                engine().list("Project")), lists -> {
            String current = estimate;
            Map<String, String> projects = new HashMap<>();
            for (EntityRow p : lists.get("Project")) {
                projects.put(p.uuid(), p.data().path("name").asText(p.data().path("code").asText("")));
            }
            projectNames = projects;
            chooser.removeAll();
            estimates.clear();
            for (EntityRow entry : lists.get("Estimate")) {
                chooser.add(EstimateData.choiceText(entry.data(), projects));
                estimates.add(entry.uuid());
            }
            if (openWanted()) {
                return;
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

    /** A person chose an estimate: an edit of the open one is saved, dropped or kept, as they answer. */
    private void choose(int index) {
        if (index >= 0 && index < estimates.size() && estimates.get(index).equals(estimate)) {
            return;
        }
        if (!dirty.isDirty()) {
            open(index);
            return;
        }
        int current = estimates.indexOf(estimate);
        switch (SavePrompt.ask(chooser.getShell(), "estimate " + fields.title() + " before opening another")) {
            case SAVE -> {
                chooser.select(current); // until the save has committed, the open estimate is the edited one
                saveThen(() -> {
                    chooser.select(index);
                    open(index);
                });
            }
            case DISCARD -> {
                dirty.setDirty(false);
                open(index);
            }
            case STAY -> chooser.select(current);
        }
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
        Widgets.inBackground(ui, chooser, "Loading an estimate", () -> EstimateData.load(engine(), chosen), loaded -> {
            if (serial != opening) {
                return; // opened again meanwhile: only the latest load is shown
            }
            pending = false;
            editing.forEach(c -> c.setEnabled(true));
            loading = true;
            ObjectNode header = loaded.header();
            fields.show(header);
            currency = header.path("currency").asText("EUR");
            this.header = header;
            items.show(loaded.rows());
            updateTotal();
            message.setText("");
            loading = false;
            undo.reset();
            dirty.setDirty(false);
        });
    }

    private void addItem() {
        addItem("", "pcs", Amounts.shown("0.00"));
    }

    /** Adds an item with these values, a quantity of 1, at the next position. */
    private void addItem(String description, String unit, String unitPrice) {
        if (pending) {
            return;
        }
        if (estimate == null) {
            message.setText("Choose an estimate first.");
            return;
        }
        ItemRow row = EstimateData.nextItem(items.rows(), description, unit, unitPrice);
        items.add(row, description.isEmpty() ? 1 : 3);
        changed(null);
    }

    private void removeItem() {
        if (pending) {
            return;
        }
        if (items.removeSelected()) { // the others numbered again
            changed(null);
        }
    }

    /** @param key what was edited: edits of one text field in a row are one step of undo */
    private void changed(Object key) {
        if (!loading && estimate != null) {
            dirty.setDirty(undo.edited(key));
            updateTotal();
        }
    }

    private EditorState state() {
        return EditorState.of(fields.title(), fields.status(), fields.notes(), items.rows());
    }

    /** Shows a state undo or redo went to. */
    private void restore(EditorState state) {
        loading = true;
        fields.show(state);
        items.show(state.rowsToEdit());
        updateTotal();
        loading = false;
        dirty.setDirty(!undo.atSaved());
    }

    private void updateTotal() {
        total.setText("Total: " + Amounts.money(EstimateData.total(items.rows()), currency));
        total.getParent().layout();
    }

    /** Saves header and items together; on a broken rule nothing is saved and the message says what. */
    @Persist
    public void save() {
        saveThen(null);
        // Save and the prompt on closing the window go on once the write has committed; the UI keeps answering
        Widgets.pumpWhile(chooser, () -> saving);
    }

    /** Saves, then runs {@code after} on the UI thread once the write has committed (not when it was refused). */
    private void saveThen(Runnable after) {
        if (estimate == null || pending || !dirty.isDirty()) {
            return;
        }
        List<EntityWrite> puts;
        try {
            puts = EstimateData.writes(estimate, fields.title(), fields.status(), fields.notes(), items.rows());
        } catch (EstimateData.CellProblem e) {
            message.setText("Not saved: " + e.getMessage());
            items.edit(e); // the cell, with its editor open
            return;
        }
        // the part stays dirty until the write has committed, so nothing is lost meanwhile
        saving = true;
        Widgets.inBackground(ui, chooser, "Saving the estimate", () -> {
            try {
                engine().putAll(puts);
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }, refusal -> {
            saving = false;
            if (refusal != null) {
                message.setText("Not saved: " + refusal);
                return;
            }
            message.setText("");
            items.saved();
            undo.reset();
            dirty.setDirty(false);
            if (after != null) {
                after.run();
            }
            refreshChoices(false); // the editor shows what was saved; the chooser may name it anew
        });
    }

    /** Hands the estimate as saved to the PDF or the printer; an edit not saved is saved first. */
    private void output(Consumer<EstimatePdf.Content> then) {
        if (estimate == null || pending || header == null) {
            return;
        }
        if (dirty.isDirty()) {
            message.setText("Save the estimate first: the client gets what is saved.");
            return;
        }
        then.accept(EstimateData.content(header, projectNames.get(header.path("project").asText("")), fields.title(),
                fields.status(), fields.notes(), items.rows(), currency));
    }

    /** Writes the open estimate as a PDF, as Export PDF... does once a file is chosen; prints it, with a printer. */
    public void exportTo(Path file, PrinterData printer) {
        output(c -> message.setText(file != null ? EstimateOutput.export(c, file) : EstimateOutput.print(c, printer)));
    }

    @Inject
    @Optional
    void onSyncEvent(@UIEventTopic(SyncTopics.COMPLETED) Event event) {
        if (chooser != null && !chooser.isDisposed() && !dirty.isDirty()) {
            refreshChoices(true);
        }
    }

    /** A double-click in the Estimates table: open that estimate (asking first about an unsaved edit). */
    @Inject
    @Optional
    void onOpen(@UIEventTopic(EntityTablePart.OPEN) Event event) {
        if (chooser != null && "Estimate".equals(event.getProperty(EntityTablePart.OPEN_TYPE))) {
            wanted = String.valueOf(event.getProperty(EntityTablePart.OPEN_UUID));
            if (!openWanted()) {
                refreshChoices(false); // made since the list was read: opened once it is there
            }
        }
    }

    /** @return whether the estimate asked for is in the chooser, and was then chosen */
    private boolean openWanted() {
        int index = wanted == null ? -1 : estimates.indexOf(wanted);
        if (index < 0) {
            return false;
        }
        wanted = null;
        chooser.select(index);
        choose(index);
        return true;
    }

    @Focus
    public void focus() {
        if (!dirty.isDirty()) {
            refreshChoices(false);
        }
        chooser.setFocus();
    }
}
