package org.trestle.app.parts;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.resource.JFaceResources;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;
import org.trestle.sync.api.AttributeInfo;
import org.trestle.sync.api.EntityRow;
import org.trestle.sync.api.EntityStore;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.entity.EntityIds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Creates or edits one entity of any type, in the part itself rather than in a modal
 * dialog: a field per attribute (a choice for enums and references), the domain's rules
 * checked on Save with each message shown next to its field. It never reads the
 * database on the UI thread: its part hands it the records references may point at, and
 * Save writes in a job.
 */
final class EntityForm {

    /** Widget data key holding the attribute name of a field, for tests. */
    public static final String FIELD = "trestle.field";

    private final EntityStore engine;
    private final EntityTypeInfo type;
    private final List<AttributeInfo> attributes;
    private ObjectNode row;
    private final Composite area;
    private final Label heading;
    /** Told the uuid of each record saved. */
    private final Consumer<String> saved;
    /** Told when the form starts or stops holding an edit that is not saved. */
    private final Consumer<Boolean> dirtyChanged;
    /** True while {@link #show} fills the fields: that is not an edit. */
    private boolean filling;
    private boolean dirty;
    /** True from the moment a save is handed to its job until the job's answer is shown. */
    private boolean saving;
    private final UISynchronize ui;
    private final Map<AttributeInfo, Control> fields = new LinkedHashMap<>();
    /** The fields' values since the record was shown, for undo and redo. */
    private final FormUndo undo = new FormUndo(fields, this::setDirty);
    private final Map<AttributeInfo, Label> messages = new LinkedHashMap<>();
    private final Map<AttributeInfo, List<String>> referenceChoices = new LinkedHashMap<>();
    /** The live records of each referenced type, by type name, as the part last read them. */
    private Map<String, List<EntityRow>> choices = Map.of();
    private Label general;

    EntityForm(Composite parent, EntityStore engine, EntityTypeInfo type, UISynchronize ui,
            Consumer<String> saved, Consumer<Boolean> dirtyChanged) {
        this.engine = engine;
        this.ui = ui;
        this.type = type;
        this.attributes = engine.attributes(type.name());
        this.saved = saved;
        this.dirtyChanged = dirtyChanged;
        area = new Composite(parent, SWT.NONE);
        GridLayoutFactory.swtDefaults().numColumns(3).applyTo(area);
        heading = new Label(area, SWT.NONE);
        heading.setFont(JFaceResources.getBannerFont());
        GridDataFactory.fillDefaults().span(3, 1).applyTo(heading);
        build();
        Composite buttons = new Composite(area, SWT.NONE);
        GridLayoutFactory.fillDefaults().numColumns(2).applyTo(buttons);
        GridDataFactory.fillDefaults().span(3, 1).applyTo(buttons);
        Button save = new Button(buttons, SWT.PUSH);
        save.setText("Save");
        save.addListener(SWT.Selection, e -> save(null));
        Button revert = new Button(buttons, SWT.PUSH);
        revert.setText("Revert");
        revert.setToolTipText("Show the record as it was saved, dropping the edit");
        revert.addListener(SWT.Selection, e -> show(row));
        show(null);
    }

    /** @return whether the fields hold an edit that is not saved */
    boolean isDirty() {
        return dirty;
    }

    /** @return the uuid of the record shown, or {@code null} for a new one */
    String shownUuid() {
        return row == null ? null : row.path("uuid").asText(null);
    }

    /** @return what the form shows, for a prompt: "Project P-7 Harbour bridge" or "a new project" */
    String shownTitle() {
        return row == null ? "a new " + type.label().toLowerCase(Locale.ROOT)
                : type.label() + " " + Labels.title(type, row);
    }

    /**
     * Fills the fields with a stored version of the shown record (one the history kept),
     * as an edit the person may save or revert.
     */
    void take(ObjectNode version) {
        ObjectNode merged = row == null ? version.deepCopy() : row.deepCopy();
        for (AttributeInfo a : attributes) {
            if (!a.derived() && version.has(a.name())) {
                merged.set(a.name(), version.get(a.name()));
            }
        }
        ObjectNode saved = row;
        filling = true;
        try {
            fill(merged);
        } finally {
            filling = false;
        }
        row = saved;
        undo.edited(null);
    }

    private void setDirty(boolean value) {
        if (dirty != value) {
            dirty = value;
            dirtyChanged.accept(value);
        }
    }

    private void edited(Object field) {
        if (!filling && !undo.restoring()) {
            undo.edited(field);
        }
    }

    /** @return the form's undo and redo, for its part */
    Undoable undo() {
        return undo;
    }

    Composite control() {
        return area;
    }

    /** @return the types this form's references point at */
    List<String> referencedTypes() {
        return attributes.stream().filter(AttributeInfo::isReference).map(AttributeInfo::referencedType).distinct()
                .toList();
    }

    /**
     * Takes the records references may point at, read by the part in the background, and
     * refills the reference choices keeping what each one has chosen (nothing typed is lost).
     */
    void setChoices(Map<String, List<EntityRow>> choices) {
        this.choices = choices;
        for (Map.Entry<AttributeInfo, Control> f : fields.entrySet()) {
            if (f.getKey().isReference() && f.getValue() instanceof Combo combo) {
                List<String> before = referenceChoices.get(f.getKey());
                int index = combo.getSelectionIndex();
                String chosen = index >= 0 && index < before.size() ? before.get(index) : null;
                List<String> values = referenceChoices(f.getKey(), combo);
                int again = chosen == null ? -1 : values.indexOf(chosen);
                if (again >= 0) {
                    combo.select(again);
                }
            }
        }
    }

    /** Shows a row for editing, or empty fields for a new entity. */
    void show(ObjectNode row) {
        filling = true;
        try {
            fill(row);
        } finally {
            filling = false;
        }
        undo.reset();
        setDirty(false);
    }

    private void fill(ObjectNode row) {
        this.row = row;
        heading.setText(row == null ? "New " + type.label().toLowerCase(Locale.ROOT)
                : type.label() + " " + Labels.title(type, row));
        messages.values().forEach(l -> l.setText(""));
        general.setText("");
        for (Map.Entry<AttributeInfo, Control> f : fields.entrySet()) {
            AttributeInfo a = f.getKey();
            String current = row == null ? "" : Labels.shown(row, a); // amounts and dates as the locale writes them
            if (f.getValue() instanceof Combo combo) {
                List<String> values = a.isReference() ? referenceChoices(a, combo) : List.of(combo.getItems());
                int index = values.indexOf(current);
                if (index < 0 && row == null && a.javaType().isEnum()) {
                    index = 0;
                }
                if (index >= 0) {
                    combo.select(index);
                } else {
                    combo.deselectAll();
                }
            } else {
                ((Text) f.getValue()).setText(current);
            }
        }
        area.layout(true, true);
    }

    private void build() {
        for (AttributeInfo a : Labels.ordered(attributes)) {
            new Label(area, SWT.NONE).setText(Labels.of(a.name()) + ":");
            Control field;
            Control cell = null; // what takes the grid's cell, when it is not the field itself
            if (a.javaType().isEnum() || a.isReference()) {
                Combo combo = new Combo(area, SWT.DROP_DOWN | SWT.READ_ONLY);
                List<String> values = new ArrayList<>();
                if (a.javaType().isEnum()) {
                    for (Object constant : a.javaType().getEnumConstants()) {
                        combo.add(((Enum<?>) constant).name());
                        values.add(((Enum<?>) constant).name());
                    }
                } else {
                    referenceChoices.put(a, values);
                }
                field = combo;
            } else if (a.javaType() == LocalDate.class && !a.derived()) {
                DateField date = new DateField(area, SWT.BORDER);
                cell = date.control();
                field = date.text();
            } else {
                field = new Text(area, SWT.BORDER | (a.derived() ? SWT.READ_ONLY : SWT.NONE));
            }
            field.setData(FIELD, a.name());
            field.setEnabled(!a.derived());
            if (field instanceof Combo) {
                field.addListener(SWT.Selection, e -> edited(null));
            } else {
                field.addListener(SWT.Modify, e -> edited(a));
                // Enter in a field saves, as in any form
                field.addListener(SWT.DefaultSelection, e -> save(null));
            }
            GridDataFactory.fillDefaults().grab(true, false).hint(280, SWT.DEFAULT).applyTo(cell == null ? field : cell);
            Label message = new Label(area, SWT.NONE);
            message.setForeground(area.getDisplay().getSystemColor(SWT.COLOR_DARK_RED));
            GridDataFactory.fillDefaults().hint(260, SWT.DEFAULT).applyTo(message);
            fields.put(a, field);
            messages.put(a, message);
        }
        general = new Label(area, SWT.WRAP);
        general.setForeground(area.getDisplay().getSystemColor(SWT.COLOR_DARK_RED));
        GridDataFactory.fillDefaults().span(3, 1).applyTo(general);
    }

    /** Fills a reference choice with the live entities it may point at, as last read. */
    private List<String> referenceChoices(AttributeInfo a, Combo combo) {
        List<String> values = referenceChoices.get(a);
        values.clear();
        combo.removeAll();
        EntityTypeInfo referenced = engine.type(a.referencedType()).orElse(null);
        for (EntityRow entry : choices.getOrDefault(a.referencedType(), List.of())) {
            combo.add(referenced == null ? entry.uuid() : Labels.title(referenced, entry.data()));
            values.add(entry.uuid());
        }
        return values;
    }

    /**
     * Saves the fields in a job: the form stays dirty until the write has committed, so an
     * edit is never lost meanwhile.
     *
     * @param done told on the UI thread whether the record was saved (after the fields
     *             show the saved record), or {@code null}
     * @return whether a save was started: {@code false} when a field holds no valid value
     *         (its message says what is expected) or a save is already under way
     */
    boolean save(Consumer<Boolean> done) {
        if (saving) {
            return false;
        }
        messages.values().forEach(l -> l.setText(""));
        general.setText("");
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        boolean ok = true;
        for (Map.Entry<AttributeInfo, Control> f : fields.entrySet()) {
            AttributeInfo a = f.getKey();
            if (a.derived()) {
                continue;
            }
            try {
                data.set(a.name(), value(a, f.getValue()));
            } catch (IllegalArgumentException e) {
                messages.get(a).setText(e.getMessage());
                ok = false;
            }
        }
        if (!ok) {
            area.layout(true, true);
            return false;
        }
        saving = true;
        String uuid = row == null ? EntityIds.newUuid() : row.get("uuid").asText();
        Job.create("Saving " + type.label().toLowerCase(Locale.ROOT), (IProgressMonitor monitor) -> {
            String refusal = null;
            try {
                engine.put(type.name(), uuid, data);
            } catch (IllegalArgumentException e) {
                refusal = e.getMessage();
            }
            String outcome = refusal;
            ui.asyncExec(() -> {
                saving = false;
                if (area.isDisposed()) {
                    return;
                }
                if (outcome == null) {
                    ObjectNode stored = data.deepCopy();
                    stored.put("uuid", uuid);
                    show(stored);
                    saved.accept(uuid);
                } else {
                    showRefusal(outcome);
                    area.layout(true, true);
                }
                if (done != null) {
                    done.accept(outcome == null);
                }
            });
            return Status.OK_STATUS;
        }).schedule();
        return true;
    }

    /**
     * Saves and keeps the UI answering until the write has committed, for a caller that
     * must know before it goes on (a prompt, closing the window).
     *
     * @return whether the record was saved
     */
    boolean saveAndWait() {
        AtomicReference<Boolean> outcome = new AtomicReference<>();
        if (!save(outcome::set)) {
            return false;
        }
        Display display = area.getDisplay();
        while (outcome.get() == null && !display.isDisposed()) {
            if (!display.readAndDispatch()) {
                display.sleep();
            }
        }
        return Boolean.TRUE.equals(outcome.get());
    }

    /** Puts each "attribute: message" of a refusal next to its field. */
    private void showRefusal(String refusal) {
        String text = refusal.startsWith(type.name() + ": ") ? refusal.substring(type.name().length() + 2)
                : refusal;
        for (String part : text.split("; ")) {
            int colon = part.indexOf(':');
            String attribute = colon > 0 ? part.substring(0, colon) : "";
            String name = attribute.contains(".") ? attribute.substring(attribute.indexOf('.') + 1) : attribute;
            AttributeInfo target = attributes.stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
            if (target != null) {
                messages.get(target).setText(part.substring(colon + 1).trim());
            } else {
                general.setText((general.getText().isEmpty() ? "" : general.getText() + "\n") + part);
            }
        }
    }

    private JsonNode value(AttributeInfo a, Control field) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (field instanceof Combo combo) {
            int index = combo.getSelectionIndex();
            if (index < 0) {
                return f.nullNode();
            }
            return f.textNode(a.isReference() ? referenceChoices.get(a).get(index) : combo.getItem(index));
        }
        // amounts and dates as the user's locale writes them, or plainly
        return Labels.typed(a, ((Text) field).getText());
    }
}
