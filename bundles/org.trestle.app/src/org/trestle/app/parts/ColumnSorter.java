package org.trestle.app.parts;

import java.math.BigDecimal;
import java.text.Collator;

import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.Viewer;
import org.eclipse.jface.viewers.ViewerComparator;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.TableColumn;
import org.trestle.sync.api.AttributeInfo;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Sorts a table of records by the column whose header was clicked, ascending, then
 * descending on the next click: numbers and dates by value, text as the user's language
 * orders it, references by the title they show; empty cells last.
 */
final class ColumnSorter extends ViewerComparator {

    /** Rows are records: a reload after a sync keeps the record a person selected, by its uuid. */
    static final org.eclipse.jface.viewers.IElementComparer BY_UUID = new org.eclipse.jface.viewers.IElementComparer() {
        @Override
        public boolean equals(Object a, Object b) {
            return a == b || (a instanceof ObjectNode x && b instanceof ObjectNode y
                    && x.path("uuid").asText().equals(y.path("uuid").asText()));
        }

        @Override
        public int hashCode(Object element) {
            return element instanceof ObjectNode n ? n.path("uuid").asText().hashCode() : element.hashCode();
        }
    };

    private final TableViewer viewer;
    private final Collator collator = Collator.getInstance();
    private AttributeInfo attribute;
    private int column = -1;
    private int direction = SWT.NONE;

    ColumnSorter(TableViewer viewer) {
        this.viewer = viewer;
        viewer.setComparator(this);
    }

    /** Makes a column's header sort by its attribute. */
    void add(TableColumn header, int index, AttributeInfo a) {
        header.addListener(SWT.Selection, e -> {
            direction = column == index && direction == SWT.UP ? SWT.DOWN : SWT.UP;
            column = index;
            attribute = a;
            viewer.getTable().setSortColumn(header);
            viewer.getTable().setSortDirection(direction);
            viewer.refresh();
        });
    }

    @Override
    public int compare(Viewer v, Object left, Object right) {
        if (attribute == null) {
            return 0; // as read: the order the records were stored in
        }
        String a = text(left);
        String b = text(right);
        if (a.isEmpty() || b.isEmpty()) {
            return a.isEmpty() == b.isEmpty() ? 0 : a.isEmpty() ? 1 : -1;
        }
        int order;
        if (isNumber(attribute)) {
            order = number(a).compareTo(number(b));
        } else {
            order = collator.compare(a, b); // dates as stored (ISO) sort as text
        }
        return direction == SWT.DOWN ? -order : order;
    }

    /** @return whether an attribute holds a number (an amount, a count) */
    static boolean isNumber(AttributeInfo a) {
        return !a.isReference() && Number.class.isAssignableFrom(boxed(a.javaType()));
    }

    private String text(Object row) {
        if (attribute.isReference()) {
            return ((ColumnLabelProvider) viewer.getLabelProvider(column)).getText(row);
        }
        return Labels.value((ObjectNode) row, attribute);
    }

    private static BigDecimal number(String text) {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return BigDecimal.ZERO;
        }
    }

    private static Class<?> boxed(Class<?> type) {
        if (type == int.class) {
            return Integer.class;
        }
        if (type == long.class) {
            return Long.class;
        }
        if (type == double.class) {
            return Double.class;
        }
        return type;
    }
}
