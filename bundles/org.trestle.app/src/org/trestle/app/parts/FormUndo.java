package org.trestle.app.parts;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Text;
import org.trestle.sync.api.AttributeInfo;

/**
 * Undo and redo of a form's fields: each edit records what every field holds (typing
 * into one field is one step), and undoing shows the values before it again. Undoing
 * back to the record as it was shown leaves the form clean.
 */
final class FormUndo implements Undoable {

    private final Map<AttributeInfo, Control> fields;
    private final Consumer<Boolean> dirty;
    private final EditHistory<Map<String, Object>> history = new EditHistory<>();
    private boolean restoring;

    FormUndo(Map<AttributeInfo, Control> fields, Consumer<Boolean> dirty) {
        this.fields = fields;
        this.dirty = dirty;
    }

    /** The fields show a record as it is saved: the history starts from here. */
    void reset() {
        history.reset(values());
    }

    /** A field was edited (its key, or {@code null} for an edit that is a step of its own). */
    void edited(Object key) {
        history.edited(values(), key);
        dirty.accept(!history.atSaved());
    }

    /** @return whether the fields are being set back: those changes are not edits */
    boolean restoring() {
        return restoring;
    }

    @Override
    public boolean canUndo() {
        return history.canUndo();
    }

    @Override
    public void undo() {
        restore(history.undo());
    }

    @Override
    public boolean canRedo() {
        return history.canRedo();
    }

    @Override
    public void redo() {
        restore(history.redo());
    }

    /** @return what every field holds: a text, or a choice's index */
    private Map<String, Object> values() {
        Map<String, Object> out = new LinkedHashMap<>();
        fields.forEach((a, c) -> out.put(a.name(), c instanceof Combo combo ? (Object) combo.getSelectionIndex()
                : ((Text) c).getText()));
        return out;
    }

    private void restore(Map<String, Object> values) {
        restoring = true;
        try {
            fields.forEach((a, c) -> {
                Object v = values.get(a.name());
                if (c instanceof Combo combo) {
                    if ((Integer) v < 0) {
                        combo.deselectAll();
                    } else {
                        combo.select((Integer) v);
                    }
                } else {
                    ((Text) c).setText((String) v);
                }
            });
        } finally {
            restoring = false;
        }
        dirty.accept(!history.atSaved());
    }
}
