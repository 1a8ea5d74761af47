package org.trestle.app.parts;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;
import org.trestle.sync.api.AttributeInfo;
import org.trestle.sync.api.EntityTypeInfo;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The records of one type as {@link EntityTablePart} shows them: a table with a column per
 * attribute, filtered by the part's filter field and sortable by its headers, and under it
 * a line that counts the rows shown or says how an export went.
 */
final class RecordTable {

    private final TableViewer viewer;
    private final Label summary;
    private final UISynchronize ui;

    /**
     * @param titles the titles of the records references point at, by type and uuid, as last read
     * @param filter the text the rows shown must contain
     */
    RecordTable(Composite area, EntityTypeInfo type, List<AttributeInfo> attributes,
            Supplier<Map<String, Map<String, String>>> titles, Text filter, UISynchronize ui) {
        this.ui = ui;
        viewer = new TableViewer(area, SWT.BORDER | SWT.FULL_SELECTION | SWT.SINGLE);
        viewer.getTable().setHeaderVisible(true);
        viewer.getTable().setLinesVisible(true);
        viewer.getTable().setData(EntityTablePart.TABLE, type.name());
        viewer.setContentProvider(ArrayContentProvider.getInstance());
        RecordColumns.create(viewer, attributes, titles, filter);
        filter.addModifyListener(e -> {
            viewer.refresh();
            showCount();
        });
        viewer.setComparer(ColumnSorter.BY_UUID);
        GridDataFactory.fillDefaults().grab(true, true).applyTo(viewer.getControl());
        summary = new Label(area, SWT.NONE);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(summary);
    }

    TableViewer viewer() {
        return viewer;
    }

    /** @return the selected record, or {@code null} */
    ObjectNode selected() {
        return (ObjectNode) ((IStructuredSelection) viewer.getSelection()).getFirstElement();
    }

    /** @return the row of the record with this uuid among those read, or {@code null} */
    Object rowOf(String uuid) {
        if (uuid == null || !(viewer.getInput() instanceof List<?> rows)) {
            return null;
        }
        return rows.stream().filter(r -> uuid.equals(((ObjectNode) r).path("uuid").asText())).findFirst().orElse(null);
    }

    /** "12 records", or "3 of 12 records" while the filter hides some. */
    void showCount() {
        summary.setText(RecordColumns.count(viewer));
        summary.getParent().layout();
    }

    /** Asks for a file and saves the rows as shown (filtered and sorted) in it as CSV. */
    void askExport(String label) {
        CsvExport.ask(viewer.getTable(), label, this::exported);
    }

    /** Saves the rows as shown as a CSV file; the line under the table says how it went. */
    void exportTo(Path file) {
        CsvExport.write(viewer.getTable(), file, this::exported);
    }

    private void exported(String outcome) {
        ui.asyncExec(() -> {
            if (!summary.isDisposed()) {
                summary.setText(outcome);
                summary.getParent().layout();
            }
        });
    }
}
