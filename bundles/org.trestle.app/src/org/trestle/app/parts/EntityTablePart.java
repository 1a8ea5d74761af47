package org.trestle.app.parts;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.core.di.annotations.Optional;
import org.eclipse.e4.core.di.extensions.Service;
import org.eclipse.e4.core.services.events.IEventBroker;
import org.eclipse.e4.ui.di.Focus;
import org.eclipse.e4.ui.di.Persist;
import org.eclipse.e4.ui.di.UIEventTopic;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.e4.ui.model.application.ui.basic.MPart;
import org.eclipse.e4.ui.workbench.modeling.EPartService;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.custom.ScrolledComposite;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;
import org.osgi.service.event.Event;
import org.trestle.sync.api.EntityStore;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.SyncService;
import org.trestle.sync.api.SyncTopics;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A filterable table of the live entities of one type (named in the part's persisted
 * state {@value #ENTITY_TYPE}) with create, edit and delete. It knows no entity type:
 * columns and fields come from the type's attributes, references show the referenced
 * record's title as its type declares it. A plugin shows its type with one element of the
 * {@code org.trestle.app.entityViews} extension point, which makes such a part:
 *
 * <pre>
 * &lt;extension point="org.trestle.app.entityViews"&gt;
 *   &lt;table type="Crane" label="Cranes" icon="icons/crane.png"/&gt;
 * &lt;/extension&gt;
 * </pre>
 *
 * The database is read and written in jobs; results come back through
 * {@link UISynchronize}.
 *
 * @since 0.1
 */
public class EntityTablePart {

    public static final String ENTITY_TYPE = "trestle.entityType";
    /** Persisted state key: the id of the part that edits one record of the type, opened by a double-click. */
    public static final String EDITOR = "trestle.editor";
    /**
     * The event a double-click posts, after showing the type's editor part, for it to open
     * the record; properties {@value #OPEN_TYPE} and {@value #OPEN_UUID}.
     */
    public static final String OPEN = "org/trestle/app/open";
    public static final String OPEN_TYPE = "type";
    public static final String OPEN_UUID = "uuid";
    public static final String TABLE = "trestle.entity.table";
    public static final String FILTER = "trestle.entity.filter";
    public static final String DELETE = "trestle.entity.delete";
    public static final String HISTORY = "trestle.entity.history";
    /** Widget data key of the table of records referring to the one shown, for tests. */
    public static final String RELATED = "trestle.entity.related";
    /** Event topic asking the table part of a type to show a record; properties as for {@link #OPEN}. */
    public static final String SHOW = "org/trestle/app/show";
    static final String CONFIRM = "Really delete?";
    /** The label of the button that fills the form with a stored version of the record. */
    public static final String TAKE_BACK = "Use this version";
    /** The label of the button that saves the table as a CSV file. */
    public static final String EXPORT = "Export...";
    /** The title of the question asked before an edit that is not saved would be left. */
    public static final String SAVE_PROMPT = SavePrompt.TITLE;
    /** What a reference shows when the record it points at is not on this computer (deleted, or outside its scope). */
    public static final String NOT_HERE = "(not on this computer)";

    @Inject
    @Service
    SyncService sync;

    @Inject
    UISynchronize ui;

    @Inject
    MPart part;

    @Inject
    @Optional
    EPartService parts;

    @Inject
    @Optional
    IEventBroker events;

    private EntityTypeInfo type;
    private EntityForm form;
    private RecordTable records;
    private TableViewer viewer;
    private Text filter;
    private DeleteButton delete;
    private RecordDetails details;
    /** The titles of the records references point at, by type and uuid, as last read. */
    private Map<String, Map<String, String>> titles = Map.of();
    /** True while the part itself changes the table's selection: that is not a person choosing a record. */
    private boolean following;
    /** The record to select once the table is read again (the one just saved). */
    private String keepSelected;

    @PostConstruct
    public void create(Composite parent) {
        GridLayoutFactory.swtDefaults().numColumns(6).applyTo(parent);
        EntityStore engine = sync.engine().entities();
        type = engine.type(String.valueOf(part.getPersistedState().get(ENTITY_TYPE))).orElse(null);
        if (type == null) {
            new Label(parent, SWT.WRAP).setText("No entity type '" + part.getPersistedState().get(ENTITY_TYPE)
                    + "' is installed.");
            return;
        }
        new Label(parent, SWT.NONE).setText("Filter:");
        filter = new Text(parent, SWT.SEARCH | SWT.ICON_CANCEL | SWT.BORDER);
        filter.setMessage("type to filter the " + type.label().toLowerCase(Locale.ROOT) + " records");
        filter.setData(FILTER, Boolean.TRUE);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(filter);
        button(parent, "New", () -> {
            if (form.isDirty() && !mayLeaveEdit()) {
                return;
            }
            following = true;
            try {
                viewer.setSelection(StructuredSelection.EMPTY);
            } finally {
                following = false;
            }
            form.show(null);
            details.show(null);
        });
        Button deleteButton = new Button(parent, SWT.PUSH);
        DeletedRecords.button(parent, type, engine, ui, uuid -> { // restored: selected once the table is read again
            keepSelected = uuid;
            reload();
        });
        button(parent, EXPORT, () -> records.askExport(type.label())).setToolTipText(
                "Save the rows shown (filtered and sorted as here) as a CSV file for a spreadsheet");
        SashForm sash = new SashForm(parent, SWT.VERTICAL);
        GridDataFactory.fillDefaults().grab(true, true).span(6, 1).applyTo(sash);
        Composite tableArea = new Composite(sash, SWT.NONE);
        GridLayoutFactory.fillDefaults().applyTo(tableArea);

        records = new RecordTable(tableArea, type, engine.attributes(type.name()), () -> titles, filter, ui);
        viewer = records.viewer();
        viewer.addDoubleClickListener(e -> open(selected()));
        viewer.addSelectionChangedListener(e -> {
            ObjectNode now = selected();
            delete.reset(now != null);
            if (following) {
                return;
            }
            String uuid = now == null ? null : now.path("uuid").asText(null);
            if (form.isDirty()) {
                if (Objects.equals(uuid, form.shownUuid())) {
                    return; // the same record, read again after a sync: the edit stays
                }
                if (!mayLeaveEdit()) {
                    showSelected(form.shownUuid());
                    return;
                }
                // saved or dropped: the chosen record, as the table holds it now (saving read it again)
                form.show(null);
                showSelected(uuid);
                if (uuid == null) {
                    details.show(null);
                }
                return;
            }
            form.show(now);
            details.show(now);
        });
        Label warning = new Label(tableArea, SWT.WRAP);
        warning.setForeground(parent.getDisplay().getSystemColor(SWT.COLOR_DARK_RED));
        GridDataFactory.fillDefaults().grab(true, false).applyTo(warning);
        delete = new DeleteButton(deleteButton, warning, type, sync, ui, this::selected, () -> {
            form.show(null);
            details.show(null);
            reload();
        });
        details = new RecordDetails(sash, type, sync, ui, this::openRelated);
        ScrolledComposite scroll = new ScrolledComposite(details.folder(),
                SWT.V_SCROLL | SWT.H_SCROLL);
        form = new EntityForm(scroll, engine, type, ui, uuid -> {
            keepSelected = uuid;
            reload();
        }, part::setDirty);
        part.getTransientData().put(Undoable.KEY, form.undo());
        scroll.setContent(form.control());
        scroll.setExpandHorizontal(true);
        scroll.setExpandVertical(true);
        scroll.setMinSize(form.control().computeSize(SWT.DEFAULT, SWT.DEFAULT));
        details.finish(scroll, version -> form.take(version));
        RecordDetails.share(sash, form.control());
        reload();
    }

    private static Button button(Composite parent, String text, Runnable action) {
        Button b = new Button(parent, SWT.PUSH);
        b.setText(text);
        b.addListener(SWT.Selection, e -> action.run());
        return b;
    }

    private ObjectNode selected() {
        return records == null ? null : records.selected();
    }

    /** Loads the rows, and the records their references may point at, in the background and shows them when ready. */
    public void reload() {
        if (type == null) {
            return;
        }
        EntityStore engine = sync.engine().entities();
        List<String> referenced = form.referencedTypes();
        Job.create("Loading " + type.label(), (IProgressMonitor monitor) -> {
            TableRead read = TableRead.read(engine, type, referenced);
            ui.asyncExec(() -> {
                if (!viewer.getControl().isDisposed()) {
                    titles = read.titles();
                    form.setChoices(read.choices());
                    viewer.setInput(read.rows());
                    if (keepSelected != null) {
                        String saved = keepSelected;
                        keepSelected = null;
                        showSelected(saved);
                    }
                    records.showCount();
                }
            });
            return Status.OK_STATUS;
        }).schedule();
    }

    /**
     * Saves the rows as shown (filtered and sorted) as a CSV file, as Export... does once
     * a file is chosen; the line under the table says how it went.
     */
    public void exportTo(Path file) {
        records.exportTo(file);
    }

    /** Selects the record with this uuid (none for {@code null}) without acting on the selection. */
    private void showSelected(String uuid) {
        following = true;
        try {
            Object row = records.rowOf(uuid);
            viewer.setSelection(row == null ? StructuredSelection.EMPTY
                    : new StructuredSelection(row), true);
        } finally {
            following = false;
        }
        ObjectNode now = selected();
        delete.reset(now != null);
        if (now != null && !form.isDirty()) {
            form.show(now);
            details.show(now);
        }
    }

    /**
     * Asks what to do with the form's edit before another record is shown: save it (and
     * go on once it is saved), drop it, or stay.
     *
     * @return whether the form may show something else now
     */
    private boolean mayLeaveEdit() {
        boolean leave = switch (SavePrompt.ask(viewer.getControl().getShell(), form.shownTitle())) {
            case SAVE -> form.saveAndWait();
            case DISCARD -> true;
            case STAY -> false;
        };
        if (leave) {
            keepSelected = null; // the person goes elsewhere: the saved record is not selected again
        }
        return leave;
    }

    /**
     * Shows one record: selects it (once the table has been read, if it is being read)
     * and shows it in the form with its history, unless the form holds an edit the person
     * does not want to leave.
     *
     * @param uuid the record's uuid
     */
    public void showRecord(String uuid) {
        if (viewer == null || viewer.getControl().isDisposed()) {
            return;
        }
        if (form.isDirty() && !uuid.equals(form.shownUuid()) && !mayLeaveEdit()) {
            return;
        }
        if (form.isDirty() && !uuid.equals(form.shownUuid())) {
            form.show(null); // dropped on purpose: the record asked for is shown instead
        }
        keepSelected = uuid;
        details.showHistoryTab(); // a person led here by a conflict looks for the record's versions
        reload();
    }

    /** A double-click on a related record: its table shows it, or its editor opens it. */
    private void openRelated(String relatedType, String uuid) {
        events.send(SHOW, Map.of(OPEN_TYPE, relatedType, OPEN_UUID, uuid));
    }

    /** A record of this part's type asked to be shown: this part comes to the front and shows it, or opens its editor. */
    @Inject
    @Optional
    void onShow(@UIEventTopic(SHOW) Event event) {
        if (type != null && type.name().equals(event.getProperty(OPEN_TYPE)) && parts != null) {
            parts.activate(part);
            String uuid = String.valueOf(event.getProperty(OPEN_UUID));
            if (part.getPersistedState().get(EDITOR) != null) {
                open(JsonNodeFactory.instance.objectNode().put("uuid", uuid));
            } else {
                showRecord(uuid);
            }
        }
    }

    /** Opens a record in the editor its type's table names, or puts the focus in the form. */
    private void open(ObjectNode row) {
        Object editor = part.getPersistedState().get(EDITOR);
        if (row == null || editor == null || parts == null || events == null) {
            form.control().setFocus();
            return;
        }
        parts.showPart(editor.toString(), EPartService.PartState.ACTIVATE);
        events.send(OPEN, Map.of(OPEN_TYPE, type.name(), OPEN_UUID, row.path("uuid").asText()));
    }

    /** Save (Ctrl+S, File > Save, or the prompt when the window closes) saves the form's edit. */
    @Persist
    public void save() {
        if (form != null && form.isDirty()) {
            form.saveAndWait();
        }
    }

    /** Synchronizations, imports and conflict resolutions change data: show it. */
    @Inject
    @Optional
    void onSyncEvent(@UIEventTopic(SyncTopics.ALL) Event event) {
        if (viewer != null && !SyncTopics.PROGRESS.equals(event.getTopic()) && !SyncTopics.STARTED.equals(event.getTopic())) {
            reload();
        }
    }

    /** Coming back to the part shows what changed meanwhile (conflict resolutions, other parts' edits). */
    @Focus
    public void focus() {
        if (filter != null && !filter.isDisposed()) {
            filter.setFocus();
            reload();
        }
    }
}
