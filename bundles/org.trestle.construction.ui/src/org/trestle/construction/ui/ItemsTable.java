package org.trestle.construction.ui;

import java.math.BigDecimal;
import java.math.RoundingMode;

import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.CellEditor;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.EditingSupport;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.jface.viewers.TextCellEditor;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.trestle.app.parts.Amounts;

/** The estimate editor's table of items: a column per value, edited in place, and the line total. */
final class ItemsTable {

    private static final String[] TITLES = { "Pos", "Description", "Unit", "Quantity", "Unit price" };

    private ItemsTable() {
    }

    /**
     * @param changed told after each edit of a cell
     * @return the table, its input a list of {@link ItemRow}
     */
    static TableViewer create(Composite parent, Runnable changed) {
        TableViewer items = new TableViewer(parent, SWT.BORDER | SWT.FULL_SELECTION);
        items.getTable().setData(EstimateEditorPart.ITEMS, Boolean.TRUE);
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
                    changed.run();
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
                return t == null ? "?" : Amounts.shown(t.setScale(2, RoundingMode.HALF_UP).toPlainString());
            }
        });
        return items;
    }
}
