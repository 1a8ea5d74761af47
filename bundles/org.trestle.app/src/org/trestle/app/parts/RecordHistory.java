package org.trestle.app.parts;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.trestle.sync.api.AttributeInfo;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.SyncService;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The stored versions of the record a table part shows: who sent them, when, and how each
 * conflict ended; a chosen version can be taken back into the form.
 */
final class RecordHistory {

    private final Table table;
    private final Button takeBack;
    private final EntityTypeInfo type;
    private final SyncService sync;
    private final Composite area;
    private final UISynchronize ui;

    RecordHistory(Composite parent, EntityTypeInfo type, SyncService sync, UISynchronize ui,
            java.util.function.Consumer<ObjectNode> take) {
        this.type = type;
        this.sync = sync;
        this.ui = ui;
        area = new Composite(parent, SWT.NONE);
        GridLayoutFactory.fillDefaults().numColumns(2).applyTo(area);
        table = new Table(area, SWT.BORDER | SWT.FULL_SELECTION);
        table.setHeaderVisible(true);
        table.setData(EntityTablePart.HISTORY, Boolean.TRUE);
        GridDataFactory.fillDefaults().grab(true, true).span(2, 1).applyTo(table);
        for (String title : new String[] { "Stored version from", "Arrived", "Resolution", "Its data" }) {
            TableColumn c = new TableColumn(table, SWT.NONE);
            c.setText(title);
            c.setWidth(title.equals("Its data") ? 420 : 150);
        }
        takeBack = new Button(area, SWT.PUSH);
        takeBack.setText(EntityTablePart.TAKE_BACK);
        takeBack.setToolTipText("Fill the form with the chosen stored version; Save makes it the record's state everywhere");
        takeBack.setEnabled(false);
        takeBack.addListener(SWT.Selection, e -> {
            int index = table.getSelectionIndex();
            if (index >= 0 && table.getItem(index).getData() instanceof ObjectNode version) {
                take.accept(version);
            }
        });
        table.addListener(SWT.Selection, e -> {
            int index = table.getSelectionIndex();
            takeBack.setEnabled(index >= 0 && table.getItem(index).getData() != null);
        });
        new Label(area, SWT.NONE).setText("Versions of the record kept by conflicts: yours when it lost,"
                + " the other when yours won.");
    }

    Composite control() {
        return area;
    }

    /** Shows the versions of a record (none for {@code null}), read in the background. */
    void show(ObjectNode row) {
        table.removeAll();
        takeBack.setEnabled(false);
        if (row == null) {
            return;
        }
        String uuid = row.get("uuid").asText();
        Job.create("Loading the history of " + Labels.title(type, row), (IProgressMonitor monitor) -> {
            var versions = sync.engine().conflictResolver().history(type.name(), uuid);
            var nodes = sync.engine().syncManager().nodes();
            var attributes = sync.engine().entities().attributes(type.name());
            // each version in words, references by the titles of the records they point at
            List<String[]> texts = new ArrayList<>();
            for (var v : versions) {
                String source = nodes.stream().filter(n -> n.nodeId().equals(v.sourceNode())).map(Labels::node)
                        .findFirst().orElse("another computer");
                texts.add(new String[] { source, Labels.time(v.arrivedAt()), Labels.resolution(v.resolution(), v.open()),
                        v.data() == null ? "(deleted)" : Labels.summary(attributes, v.data(), titles(attributes, v.data())) });
            }
            ui.asyncExec(() -> {
                if (table.isDisposed()) {
                    return;
                }
                for (int i = 0; i < versions.size(); i++) {
                    TableItem item = new TableItem(table, SWT.NONE);
                    item.setText(texts.get(i));
                    item.setData(versions.get(i).data());
                }
            });
            return Status.OK_STATUS;
        }).schedule();
    }

    /** @return the titles of the records a version's references point at, by uuid (read in the caller's job) */
    private Map<String, String> titles(List<AttributeInfo> attributes, ObjectNode data) {
        Map<String, String> titles = new HashMap<>();
        for (AttributeInfo a : attributes) {
            String value = a.isReference() ? Labels.value(data, a) : "";
            EntityTypeInfo referenced = value.isEmpty() ? null : sync.engine().entities().type(a.referencedType()).orElse(null);
            if (referenced != null) {
                sync.engine().entities().find(a.referencedType(), value)
                        .ifPresent(r -> titles.put(value, Labels.title(referenced, r.data())));
            }
        }
        return titles;
    }
}
