package org.trestle.construction.ui;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.CellEditor;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.ColumnViewerEditor;
import org.eclipse.jface.viewers.ColumnViewerEditorActivationEvent;
import org.eclipse.jface.viewers.ColumnViewerEditorActivationStrategy;
import org.eclipse.jface.viewers.ColumnViewerToolTipSupport;
import org.eclipse.jface.viewers.EditingSupport;
import org.eclipse.jface.viewers.FocusCellOwnerDrawHighlighter;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.jface.viewers.TableViewerEditor;
import org.eclipse.jface.viewers.TableViewerFocusCellManager;
import org.eclipse.jface.viewers.TextCellEditor;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Table;
import org.trestle.app.parts.Amounts;

/**
 * The estimate editor's items: a column per value, edited in place, and the line total.
 * Tab and Shift+Tab move from cell to cell (on to the next row), F2 or Enter edits the
 * cell in focus; a cell whose value is not valid is marked where it is, its tooltip
 * saying what is expected. Removing an item numbers the others' positions again.
 */
final class ItemsTable {

    private static final String[] TITLES = { "Pos", "Description", "Unit", "Quantity", "Unit price" };
    /** Marks a cell whose value is not valid: a light red any theme keeps readable. */
    private static final Color INVALID = new Color(255, 205, 210);

    private final TableViewer viewer;
    /** The rows as edited, removed ones included (marked), for the save to delete them. */
    private final List<ItemRow> rows = new ArrayList<>();

    /** @param changed told after each edit of a cell */
    ItemsTable(Composite parent, Runnable changed) {
        viewer = new TableViewer(parent, SWT.BORDER | SWT.FULL_SELECTION);
        viewer.getTable().setData(EstimateEditorPart.ITEMS, Boolean.TRUE);
        viewer.getTable().setHeaderVisible(true);
        viewer.getTable().setLinesVisible(true);
        viewer.setContentProvider(ArrayContentProvider.getInstance());
        ColumnViewerToolTipSupport.enableFor(viewer);
        for (int i = 0; i < ItemRow.COLUMNS; i++) {
            createColumn(i, changed);
        }
        TableViewerColumn line = new TableViewerColumn(viewer, SWT.RIGHT);
        line.getColumn().setText("Line total");
        line.getColumn().setWidth(110);
        line.setLabelProvider(new ColumnLabelProvider() {
            @Override
            public String getText(Object element) {
                BigDecimal t = ((ItemRow) element).lineTotal();
                return t == null ? "?" : Amounts.shown(t.setScale(2, RoundingMode.HALF_UP).toPlainString());
            }
        });
        ColumnViewerEditorActivationStrategy activation = new ColumnViewerEditorActivationStrategy(viewer) {
            @Override
            protected boolean isEditorActivationEvent(ColumnViewerEditorActivationEvent event) {
                return event.eventType == ColumnViewerEditorActivationEvent.TRAVERSAL
                        || event.eventType == ColumnViewerEditorActivationEvent.MOUSE_CLICK_SELECTION
                        || event.eventType == ColumnViewerEditorActivationEvent.PROGRAMMATIC
                        || (event.eventType == ColumnViewerEditorActivationEvent.KEY_PRESSED
                                && (event.keyCode == SWT.F2 || event.keyCode == SWT.CR));
            }
        };
        TableViewerEditor.create(viewer, new TableViewerFocusCellManager(viewer, new FocusCellOwnerDrawHighlighter(viewer)),
                activation, ColumnViewerEditor.TABBING_HORIZONTAL | ColumnViewerEditor.TABBING_MOVE_TO_ROW_NEIGHBOR
                        | ColumnViewerEditor.TABBING_VERTICAL | ColumnViewerEditor.KEYBOARD_ACTIVATION);
    }

    private void createColumn(int column, Runnable changed) {
        TableViewerColumn c = new TableViewerColumn(viewer, column >= 3 ? SWT.RIGHT : SWT.NONE);
        c.getColumn().setText(TITLES[column]);
        c.getColumn().setWidth(column == 0 ? 50 : column == 1 ? 260 : 90);
        c.setLabelProvider(new ColumnLabelProvider() {
            @Override
            public String getText(Object element) {
                return ((ItemRow) element).values[column];
            }

            @Override
            public Color getBackground(Object element) {
                return ((ItemRow) element).problem(column) == null ? null : INVALID;
            }

            @Override
            public String getToolTipText(Object element) {
                return ((ItemRow) element).problem(column);
            }
        });
        c.setEditingSupport(new EditingSupport(viewer) {
            @Override
            protected CellEditor getCellEditor(Object element) {
                return new TextCellEditor(viewer.getTable());
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
                if (!String.valueOf(value).equals(((ItemRow) element).values[column])) {
                    ((ItemRow) element).values[column] = String.valueOf(value);
                    viewer.update(element, null);
                    changed.run();
                }
            }
        });
    }

    /** @return a column's title in words, for messages */
    static String title(int column) {
        return column == 0 ? "Position" : TITLES[column];
    }

    Table control() {
        return viewer.getTable();
    }

    /** @return the rows as edited, removed ones included */
    List<ItemRow> rows() {
        return rows;
    }

    /** Shows these rows instead of the ones shown. */
    void show(List<ItemRow> shown) {
        rows.clear();
        rows.addAll(shown);
        refresh();
    }

    /** Shows the rows not removed, by position. */
    void refresh() {
        viewer.setInput(rows.stream().filter(r -> !r.deleted).sorted(Comparator.comparingInt(EstimateData::position))
                .toList());
    }

    /** Adds a row and opens the editor of one of its cells. */
    void add(ItemRow row, int column) {
        rows.add(row);
        refresh();
        viewer.editElement(row, column);
    }

    /**
     * Removes the selected row and numbers the positions of the others again, 1, 2, 3...
     *
     * @return whether a row was selected
     */
    boolean removeSelected() {
        if (!(((IStructuredSelection) viewer.getSelection()).getFirstElement() instanceof ItemRow row)) {
            return false;
        }
        row.deleted = true;
        int position = 0;
        for (ItemRow r : rows.stream().filter(r -> !r.deleted).sorted(Comparator.comparingInt(EstimateData::position))
                .toList()) {
            r.values[0] = String.valueOf(++position);
        }
        refresh();
        return true;
    }

    /** The rows were saved: the removed ones are gone for good. */
    void saved() {
        rows.removeIf(r -> r.deleted);
    }

    /** Shows the cell a problem is in, with its editor open. */
    void edit(EstimateData.CellProblem problem) {
        viewer.editElement(problem.row(), problem.column());
    }
}
