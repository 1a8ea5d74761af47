package org.trestle.app.parts;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.jface.viewers.Viewer;
import org.eclipse.jface.viewers.ViewerFilter;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Text;
import org.trestle.sync.api.AttributeInfo;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The columns of a table of records: one per attribute in the order people read them,
 * references by the title of the record they point at, amounts right-aligned, sorted by
 * the header clicked, and filtered by what the rows show.
 */
final class RecordColumns {

    private RecordColumns() {
    }

    /**
     * @param titles the titles of the records references point at, by type and uuid, as last read
     * @param filter the text the rows shown must contain (ignoring case)
     */
    static void create(TableViewer viewer, List<AttributeInfo> attributes,
            Supplier<Map<String, Map<String, String>>> titles, Text filter) {
        ColumnSorter sorter = new ColumnSorter(viewer);
        for (AttributeInfo a : Labels.ordered(attributes)) {
            // amounts and counts right-aligned, so that their digits line up
            TableViewerColumn column = new TableViewerColumn(viewer, ColumnSorter.isNumber(a) ? SWT.RIGHT : SWT.NONE);
            sorter.add(column.getColumn(), viewer.getTable().getColumnCount() - 1, a);
            column.getColumn().setText(Labels.of(a.name()));
            column.getColumn().setWidth(a.isReference() ? 170 : 150);
            column.setLabelProvider(new ColumnLabelProvider() {
                @Override
                public String getText(Object element) {
                    String value = Labels.value((ObjectNode) element, a);
                    if (!a.isReference() || value.isEmpty()) {
                        return Labels.shown((ObjectNode) element, a); // amounts and dates as the locale writes them
                    }
                    return titles.get().getOrDefault(a.referencedType(), Map.of()).getOrDefault(value,
                            EntityTablePart.NOT_HERE);
                }
            });
        }
        viewer.addFilter(new ViewerFilter() {
            @Override
            public boolean select(Viewer v, Object parentElement, Object element) {
                String wanted = filter.getText().trim().toLowerCase(Locale.ROOT);
                return wanted.isEmpty() || shown(viewer, (ObjectNode) element).toLowerCase(Locale.ROOT).contains(wanted);
            }
        });
    }

    /** @return "12 records", or "3 of 12 records" while the filter hides some */
    static String count(TableViewer viewer) {
        int all = viewer.getInput() instanceof List<?> l ? l.size() : 0;
        int shown = viewer.getTable().getItemCount();
        String noun = all == 1 ? " record" : " records";
        return shown == all ? all + noun : shown + " of " + all + noun;
    }

    /** @return what a row shows, as one text: the filter matches it, references by their titles */
    private static String shown(TableViewer viewer, ObjectNode row) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < viewer.getTable().getColumnCount(); i++) {
            ColumnLabelProvider text = (ColumnLabelProvider) viewer.getLabelProvider(i);
            out.append(text.getText(row)).append('\n');
        }
        return out.toString();
    }
}
