package org.trestle.app.parts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Label;
import org.trestle.sync.api.EntityStore;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.api.SyncService;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Deletes the selected record on a second press: the first says what goes with it (a
 * project's estimates and their items, as the types declare) or why it cannot be deleted
 * (what still refers to it). No modal dialog stands between a person and the table.
 */
final class DeleteButton {

    private final Button button;
    private final Label warning;
    private final EntityTypeInfo type;
    private final SyncService sync;
    private final UISynchronize ui;
    private final Supplier<ObjectNode> selected;
    private final Runnable deleted;
    /** The uuid the next press deletes, once the first press has said what goes with it. */
    private String armed;

    DeleteButton(Button button, Label warning, EntityTypeInfo type, SyncService sync, UISynchronize ui,
            Supplier<ObjectNode> selected, Runnable deleted) {
        this.button = button;
        this.warning = warning;
        this.type = type;
        this.sync = sync;
        this.ui = ui;
        this.selected = selected;
        this.deleted = deleted;
        button.setText("Delete");
        button.setData(EntityTablePart.DELETE, Boolean.TRUE);
        button.addListener(SWT.Selection, e -> press());
        button.setEnabled(false);
    }

    /** Another record was chosen: the next press asks again. */
    void reset(boolean enabled) {
        armed = null;
        button.setText("Delete");
        button.setEnabled(enabled);
        warning.setText("");
    }

    private void press() {
        ObjectNode row = selected.get();
        if (row == null) {
            return;
        }
        String uuid = row.get("uuid").asText();
        String title = Labels.title(type, row);
        EntityStore engine = sync.engine().entities();
        if (!uuid.equals(armed)) {
            Job.create("Checking what goes with " + title, (IProgressMonitor monitor) -> {
                String refusal = null;
                Map<String, Integer> along = Map.of();
                try {
                    along = engine.deletedAlong(type.name(), uuid);
                } catch (IllegalArgumentException e) {
                    refusal = e.getMessage();
                }
                String reason = refusal;
                Map<String, Integer> counts = along;
                ui.asyncExec(() -> {
                    if (button.isDisposed()) {
                        return;
                    }
                    if (reason != null) {
                        warning.setText(reason + ".");
                    } else {
                        armed = uuid;
                        button.setText(EntityTablePart.CONFIRM);
                        warning.setText(counts.isEmpty() ? "Press again to delete " + title + " on every computer."
                                : "Deleting " + title + " also deletes " + describe(engine, counts)
                                        + ", on every computer. Press again to delete them.");
                    }
                    button.getParent().layout();
                    warning.getParent().layout();
                });
                return Status.OK_STATUS;
            }).schedule();
            return;
        }
        reset(false);
        Job.create("Deleting " + title, (IProgressMonitor monitor) -> {
            String refusal = null;
            try {
                engine.delete(type.name(), uuid);
            } catch (IllegalArgumentException e) {
                refusal = e.getMessage(); // something came to refer to it meanwhile, or it is gone
            }
            String reason = refusal;
            ui.asyncExec(() -> {
                if (button.isDisposed()) {
                    return;
                }
                if (reason != null) {
                    warning.setText(reason + ".");
                    button.setEnabled(true);
                } else {
                    deleted.run();
                }
            });
            return Status.OK_STATUS;
        }).schedule();
    }

    /** @return "2 estimates and 5 estimate items" */
    private static String describe(EntityStore engine, Map<String, Integer> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((name, n) -> parts.add(Labels.count(engine.type(name).orElse(null), name, n)));
        return parts.size() == 1 ? parts.get(0)
                : String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
    }
}
