package org.trestle.construction.ui;

import java.util.ArrayList;
import java.util.List;

/**
 * The estimate editor's header and items as typed: one step of its undo. The rows are
 * copies, so that later edits do not change a step already taken.
 */
record EditorState(String title, String status, String notes, List<ItemRow> rows) {

    static EditorState of(String title, String status, String notes, List<ItemRow> rows) {
        return new EditorState(title, status, notes, copies(rows));
    }

    /** @return new copies of the rows, for the editor to show and edit */
    List<ItemRow> rowsToEdit() {
        return copies(rows);
    }

    private static List<ItemRow> copies(List<ItemRow> rows) {
        List<ItemRow> out = new ArrayList<>(rows.size());
        for (ItemRow r : rows) {
            ItemRow c = new ItemRow();
            c.uuid = r.uuid;
            c.deleted = r.deleted;
            System.arraycopy(r.values, 0, c.values, 0, ItemRow.COLUMNS);
            out.add(c);
        }
        return List.copyOf(out);
    }
}
