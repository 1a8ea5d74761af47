package org.trestle.app.parts;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * The states an editor went through since it last showed a saved record, for undo and
 * redo. An editor tells it each state after an edit; edits in a row with the same key
 * (typing into one field) are one step, as people expect of Ctrl+Z.
 *
 * @param <T> an editor's state: a value the editor can show again (immutable, or copied)
 * @since 0.1
 */
public final class EditHistory<T> {

    /** Steps kept at most; the oldest go first. */
    private static final int LIMIT = 200;

    private final Deque<T> undo = new ArrayDeque<>();
    private final Deque<T> redo = new ArrayDeque<>();
    private T current;
    private T saved;
    private Object lastKey;

    /** Starts again from a state that is saved (a record shown, or one just saved). */
    public void reset(T state) {
        undo.clear();
        redo.clear();
        current = state;
        saved = state;
        lastKey = null;
    }

    /**
     * Records the state after an edit.
     *
     * @param key what was edited (a field), or {@code null}: edits in a row with the same
     *            key are undone together
     */
    public void edited(T state, Object key) {
        if (Objects.equals(state, current)) {
            return;
        }
        if (key == null || !key.equals(lastKey) || undo.isEmpty()) {
            undo.push(current);
            if (undo.size() > LIMIT) {
                undo.removeLast();
            }
        }
        redo.clear();
        current = state;
        lastKey = key;
    }

    public boolean canUndo() {
        return !undo.isEmpty();
    }

    public boolean canRedo() {
        return !redo.isEmpty();
    }

    /** @return the state before the last edit, which the editor then shows */
    public T undo() {
        redo.push(current);
        current = undo.pop();
        lastKey = null;
        return current;
    }

    /** @return the state the last undo went back from */
    public T redo() {
        undo.push(current);
        current = redo.pop();
        lastKey = null;
        return current;
    }

    /** @return whether the current state is the saved one (an editor is then not dirty) */
    public boolean atSaved() {
        return Objects.equals(current, saved);
    }
}
