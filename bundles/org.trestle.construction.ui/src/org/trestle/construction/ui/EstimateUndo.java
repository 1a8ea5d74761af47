package org.trestle.construction.ui;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.trestle.app.parts.EditHistory;
import org.trestle.app.parts.Undoable;

/** Undo and redo of the estimate editor: its header and items, step by step since it was opened or saved. */
final class EstimateUndo implements Undoable {

    private final EditHistory<EditorState> history = new EditHistory<>();
    private final Supplier<EditorState> state;
    private final Consumer<EditorState> show;
    private final BooleanSupplier loading;

    /**
     * @param state   what the editor holds now
     * @param show    shows a state again
     * @param loading whether an estimate is being read (nothing can be undone meanwhile)
     */
    EstimateUndo(Supplier<EditorState> state, Consumer<EditorState> show, BooleanSupplier loading) {
        this.state = state;
        this.show = show;
        this.loading = loading;
    }

    /** The editor shows the estimate as saved. */
    void reset() {
        history.reset(state.get());
    }

    /**
     * @param key what was edited: edits of one text field in a row are one step
     * @return whether the editor now differs from the saved estimate
     */
    boolean edited(Object key) {
        history.edited(state.get(), key);
        return !history.atSaved();
    }

    /** @return whether the editor shows the saved estimate */
    boolean atSaved() {
        return history.atSaved();
    }

    @Override
    public boolean canUndo() {
        return !loading.getAsBoolean() && history.canUndo();
    }

    @Override
    public void undo() {
        show.accept(history.undo());
    }

    @Override
    public boolean canRedo() {
        return !loading.getAsBoolean() && history.canRedo();
    }

    @Override
    public void redo() {
        show.accept(history.redo());
    }
}
