package org.trestle.app.parts;

import java.util.List;
import java.util.function.Consumer;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.jface.dialogs.Dialog;
import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.trestle.sync.api.EntityRow;
import org.trestle.sync.api.EntityStore;
import org.trestle.sync.api.EntityTypeInfo;

/**
 * The records of a type deleted on this computer, the latest first, any of which can be
 * restored: it comes back as a new record with its last values, together with what was
 * deleted along with it (a project's estimates and their items), on every computer.
 */
final class DeletedRecords extends Dialog {

    /** The dialog's title starts so, for tests. */
    static final String TITLE = "Deleted ";
    /** The button that restores the selected record. */
    static final String RESTORE = "Restore";
    private static final int RESTORE_ID = IDialogConstants.CLIENT_ID + 1;
    private static final int SHOWN = 200;

    private final EntityTypeInfo type;
    private final EntityStore store;
    private final UISynchronize ui;
    private final Consumer<String> restored;
    private Table table;
    private Label message;
    private List<EntityRow> rows = List.of();

    /** @param restored told the uuid of a restored record, after the dialog closed */
    DeletedRecords(Shell parent, EntityTypeInfo type, EntityStore store, UISynchronize ui, Consumer<String> restored) {
        super(parent);
        this.type = type;
        this.store = store;
        this.ui = ui;
        this.restored = restored;
        setShellStyle(getShellStyle() | SWT.RESIZE);
    }

    /** @return the button of a table part that opens this dialog */
    static Button button(Composite parent, EntityTypeInfo type, EntityStore store, UISynchronize ui, Consumer<String> restored) {
        Button b = new Button(parent, SWT.PUSH);
        b.setText("Deleted...");
        b.setToolTipText("Records deleted here, to restore one with what was deleted along with it");
        b.addListener(SWT.Selection, e -> new DeletedRecords(parent.getShell(), type, store, ui, restored).open());
        return b;
    }

    @Override
    protected void configureShell(Shell shell) {
        super.configureShell(shell);
        shell.setText(TITLE + type.label().toLowerCase(java.util.Locale.ROOT) + " records");
    }

    @Override
    protected Control createDialogArea(Composite parent) {
        Composite area = (Composite) super.createDialogArea(parent);
        Label intro = new Label(area, SWT.WRAP);
        intro.setText("A restored record comes back as a new record with its last values, with what was deleted"
                + " along with it, on every computer.");
        GridDataFactory.fillDefaults().grab(true, false).hint(520, SWT.DEFAULT).applyTo(intro);
        table = new Table(area, SWT.BORDER | SWT.FULL_SELECTION | SWT.SINGLE);
        table.setHeaderVisible(true);
        GridDataFactory.fillDefaults().grab(true, true).hint(520, 220).applyTo(table);
        for (String title : new String[] { "Record", "Deleted" }) {
            TableColumn c = new TableColumn(table, SWT.NONE);
            c.setText(title);
            c.setWidth(title.equals("Record") ? 330 : 170);
        }
        table.addListener(SWT.Selection, e -> getButton(RESTORE_ID).setEnabled(table.getSelectionIndex() >= 0));
        table.addListener(SWT.DefaultSelection, e -> restoreSelected());
        message = new Label(area, SWT.WRAP);
        message.setText("Reading...");
        GridDataFactory.fillDefaults().grab(true, false).hint(520, SWT.DEFAULT).applyTo(message);
        Job.create("Reading deleted " + type.label(), (IProgressMonitor monitor) -> {
            List<EntityRow> deleted = store.deleted(type.name(), SHOWN);
            ui.asyncExec(() -> show(deleted));
            return Status.OK_STATUS;
        }).schedule();
        return area;
    }

    private void show(List<EntityRow> deleted) {
        if (table.isDisposed()) {
            return;
        }
        rows = deleted;
        for (EntityRow r : deleted) {
            new TableItem(table, SWT.NONE).setText(new String[] { Labels.title(type, r.data()), Labels.time(r.updatedAt()) });
        }
        message.setText(deleted.isEmpty() ? "No " + type.label().toLowerCase(java.util.Locale.ROOT)
                + " was deleted on this computer." : deleted.size() == SHOWN ? "The latest " + SHOWN + " are shown." : "");
    }

    @Override
    protected void createButtonsForButtonBar(Composite parent) {
        createButton(parent, RESTORE_ID, RESTORE, true).setEnabled(false);
        createButton(parent, IDialogConstants.CANCEL_ID, IDialogConstants.CLOSE_LABEL, false);
    }

    @Override
    protected void buttonPressed(int id) {
        if (id == RESTORE_ID) {
            restoreSelected();
        } else {
            super.buttonPressed(id);
        }
    }

    private void restoreSelected() {
        int index = table.getSelectionIndex();
        if (index < 0 || index >= rows.size()) {
            return;
        }
        EntityRow chosen = rows.get(index);
        getButton(RESTORE_ID).setEnabled(false);
        message.setText("Restoring " + Labels.title(type, chosen.data()) + "...");
        Job.create("Restoring " + Labels.title(type, chosen.data()), (IProgressMonitor monitor) -> {
            String uuid = null;
            String refusal = null;
            try {
                uuid = store.restore(type.name(), chosen.uuid());
            } catch (IllegalArgumentException e) {
                refusal = e.getMessage();
            }
            String done = uuid;
            String outcome = refusal;
            ui.asyncExec(() -> {
                if (table.isDisposed()) {
                    return;
                }
                if (done == null) {
                    message.setText("Not restored: " + outcome);
                    getButton(RESTORE_ID).setEnabled(true);
                    message.getParent().layout();
                    return;
                }
                close();
                restored.accept(done);
            });
            return Status.OK_STATUS;
        }).schedule();
    }
}
