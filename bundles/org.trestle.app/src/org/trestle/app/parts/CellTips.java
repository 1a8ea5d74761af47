package org.trestle.app.parts;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableItem;

/**
 * Shows a table cell's whole text as a tooltip when the column is too narrow for it, so
 * that a cut-off value can be read without widening the column.
 *
 * @since 0.1
 */
public final class CellTips {

    private CellTips() {
    }

    public static void install(Table table) {
        table.addListener(SWT.MouseHover, e -> table.setToolTipText(cutOff(table, new Point(e.x, e.y))));
        table.addListener(SWT.MouseExit, e -> table.setToolTipText(null));
    }

    /** @return the text of the cell at a point when it does not fit its column, else {@code null} */
    public static String cutOff(Table table, Point at) {
        TableItem item = table.getItem(at);
        if (item == null) {
            return null;
        }
        for (int column = 0; column < Math.max(1, table.getColumnCount()); column++) {
            if (item.getBounds(column).contains(at)) {
                String text = item.getText(column);
                GC gc = new GC(table);
                try {
                    // the cell's padding counted: a text within a few pixels of the edge is cut off too
                    return gc.textExtent(text).x + 12 > item.getBounds(column).width ? text : null;
                } finally {
                    gc.dispose();
                }
            }
        }
        return null;
    }
}
