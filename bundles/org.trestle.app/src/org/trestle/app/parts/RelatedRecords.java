package org.trestle.app.parts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.trestle.sync.api.AttributeInfo;
import org.trestle.sync.api.EntityRow;
import org.trestle.sync.api.EntityStore;
import org.trestle.sync.api.EntityTypeInfo;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The live records that refer to the one a table part shows, of any installed type: a
 * project's estimates and safety inspections, an estimate's items. A double-click opens
 * one where its type is shown (its editor, when its table names one), through
 * {@link EntityTablePart#SHOW}.
 */
final class RelatedRecords {

    private final Table table;
    private final Label summary;
    private final EntityTypeInfo type;
    private final EntityStore store;
    private final UISynchronize ui;
    private final Composite area;

    /** @param open told the type and uuid of a record a person opened */
    RelatedRecords(Composite parent, EntityTypeInfo type, EntityStore store, UISynchronize ui,
            java.util.function.BiConsumer<String, String> open) {
        this.type = type;
        this.store = store;
        this.ui = ui;
        area = new Composite(parent, SWT.NONE);
        GridLayoutFactory.fillDefaults().applyTo(area);
        table = new Table(area, SWT.BORDER | SWT.FULL_SELECTION | SWT.SINGLE);
        table.setHeaderVisible(true);
        table.setData(EntityTablePart.RELATED, Boolean.TRUE);
        GridDataFactory.fillDefaults().grab(true, true).applyTo(table);
        for (String title : new String[] { "Type", "Record", "Through" }) {
            TableColumn c = new TableColumn(table, SWT.NONE);
            c.setText(title);
            c.setWidth(title.equals("Record") ? 320 : 130);
        }
        CellTips.install(table);
        table.addListener(SWT.DefaultSelection, e -> {
            int index = table.getSelectionIndex();
            if (index >= 0 && table.getItem(index).getData() instanceof String[] target) {
                open.accept(target[0], target[1]);
            }
        });
        summary = new Label(area, SWT.WRAP);
        summary.setText("Double-click a record to open it.");
        GridDataFactory.fillDefaults().grab(true, false).applyTo(summary);
    }

    Composite control() {
        return area;
    }

    /** @return the references of installed types that point at a type, by the types' labels */
    static List<Map.Entry<EntityTypeInfo, AttributeInfo>> referencesTo(EntityTypeInfo type, EntityStore store) {
        List<Map.Entry<EntityTypeInfo, AttributeInfo>> out = new ArrayList<>();
        for (EntityTypeInfo other : store.types()) {
            for (AttributeInfo a : store.attributes(other.name())) {
                if (a.isReference() && type.name().equals(a.referencedType())) {
                    out.add(Map.entry(other, a));
                }
            }
        }
        out.sort(Map.Entry.comparingByKey(java.util.Comparator.comparing(EntityTypeInfo::label)));
        return out;
    }

    /** Shows the records referring to a record (none for {@code null}), read in the background. */
    void show(ObjectNode row) {
        table.removeAll();
        if (row == null) {
            return;
        }
        String uuid = row.path("uuid").asText();
        Job.create("Reading what refers to " + Labels.title(type, row), (IProgressMonitor monitor) -> {
            List<String[]> texts = new ArrayList<>();
            List<String[]> targets = new ArrayList<>();
            for (var reference : referencesTo(type, store)) {
                EntityTypeInfo other = reference.getKey();
                for (EntityRow r : store.referencing(other.name(), reference.getValue().name(), uuid)) {
                    texts.add(new String[] { other.label(), Labels.title(other, r.data()),
                            Labels.of(reference.getValue().name()) });
                    targets.add(new String[] { other.name(), r.uuid() });
                }
            }
            ui.asyncExec(() -> {
                if (table.isDisposed()) {
                    return;
                }
                table.removeAll();
                for (int i = 0; i < texts.size(); i++) {
                    TableItem item = new TableItem(table, SWT.NONE);
                    item.setText(texts.get(i));
                    item.setData(targets.get(i));
                }
                summary.setText(texts.isEmpty() ? "No record refers to this " + type.label().toLowerCase(java.util.Locale.ROOT) + "."
                        : texts.size() + (texts.size() == 1 ? " record refers" : " records refer") + " to this "
                                + type.label().toLowerCase(java.util.Locale.ROOT) + ". Double-click one to open it.");
                area.layout(true, true);
            });
            return Status.OK_STATUS;
        }).schedule();
    }
}
