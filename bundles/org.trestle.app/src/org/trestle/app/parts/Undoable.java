package org.trestle.app.parts;

/**
 * Edits that Edit > Undo (Ctrl+Z) and Edit > Redo (Ctrl+Y) step through. The workbench's
 * handlers ask the active part: its object when it implements this, or what its
 * {@code MPart}'s transient data holds under {@link #KEY}. A plugin's part takes part
 * either way, usually over an {@link EditHistory}.
 *
 * @since 0.1
 */
public interface Undoable {

    /** The key under which a part's transient data may hold its {@code Undoable}. */
    String KEY = "trestle.undoable";

    /** @return whether there is an edit to undo */
    boolean canUndo();

    /** Takes back the last edit not yet saved. */
    void undo();

    /** @return whether there is an undone edit to do again */
    boolean canRedo();

    /** Does the last undone edit again. */
    void redo();
}
