package org.trestle.app.parts;

import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.CTabFolder;
import org.eclipse.swt.custom.CTabItem;
import org.eclipse.swt.widgets.Composite;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.SyncService;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Below a table part's rows, on tabs: the form of the record shown, the records that refer
 * to it (a project's estimates), and the versions its conflicts kept. The form's tab is as
 * tall as the form needs; the rows take the rest.
 */
final class RecordDetails {

    /** The titles of the tabs, for tests. */
    static final String RECORD_TAB = "Record";
    static final String RELATED_TAB = "Related records";
    static final String HISTORY_TAB = "History";

    private final CTabFolder tabs;
    private final EntityTypeInfo type;
    private final SyncService sync;
    private final UISynchronize ui;
    private final RelatedRecords related;
    private RecordHistory history;

    /** @param open told the type and uuid of a related record a person opened */
    RecordDetails(Composite parent, EntityTypeInfo type, SyncService sync, UISynchronize ui,
            java.util.function.BiConsumer<String, String> open) {
        this.type = type;
        this.sync = sync;
        this.ui = ui;
        tabs = new CTabFolder(parent, SWT.BORDER | SWT.BOTTOM);
        // related records only for a type that others refer to (a project, not a material)
        related = RelatedRecords.referencesTo(type, sync.engine().entities()).isEmpty() ? null
                : new RelatedRecords(tabs, type, sync.engine().entities(), ui, open);
    }

    /** @return where the form is made, before {@link #finish} */
    Composite folder() {
        return tabs;
    }

    /**
     * Adds the tabs: the form first, then the related records and the history.
     *
     * @param take told a stored version a person takes back into the form (then in front)
     */
    void finish(org.eclipse.swt.widgets.Control form, java.util.function.Consumer<ObjectNode> take) {
        history = new RecordHistory(tabs, type, sync, ui, version -> {
            tabs.setSelection(0);
            take.accept(version);
        });
        tab(RECORD_TAB, form);
        if (related != null) {
            tab(RELATED_TAB, related.control());
        }
        tab(HISTORY_TAB, history.control());
        tabs.setSelection(0);
    }

    private void tab(String title, org.eclipse.swt.widgets.Control control) {
        CTabItem item = new CTabItem(tabs, SWT.NONE);
        item.setText(title);
        item.setControl(control);
    }

    /** Shows what relates to a record, and its history (nothing for {@code null}). */
    void show(ObjectNode row) {
        if (related != null) {
            related.show(row);
        }
        history.show(row);
    }

    /** Brings the history's tab to the front, for a record whose conflict a person was led to. */
    void showHistoryTab() {
        tabs.setSelection(tabs.getItemCount() - 1);
    }

    /** Shares a table part's height: the tabs as tall as the form needs (its Save button in view), the rows the rest. */
    static void share(org.eclipse.swt.custom.SashForm sash, org.eclipse.swt.widgets.Control form) {
        sash.addListener(SWT.Resize, e -> {
            int height = sash.getClientArea().height;
            if (height > 0) {
                int tabsHeight = Math.min(form.computeSize(SWT.DEFAULT, SWT.DEFAULT).y + 40, height * 2 / 3);
                sash.setWeights(Math.max(height - tabsHeight, 60), tabsHeight);
            }
        });
    }
}
