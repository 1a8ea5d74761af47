package org.trestle.construction.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.trestle.sync.api.EntityRow;
import org.trestle.sync.api.EntityStore;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The price list beside the estimate editor's items: choosing a material adds an item
 * with its name, unit and unit price. It reads the {@code Material} records of whichever
 * plugin declares them, in the background; without such a plugin it offers nothing.
 */
final class PriceList {

    private static final String PROMPT = "Add from the price list...";

    private final Combo choice;
    private final List<ObjectNode> materials = new ArrayList<>();

    /** @param chosen told a material's data (name, unit, unitPrice) when one is chosen */
    PriceList(Composite parent, Consumer<ObjectNode> chosen) {
        choice = new Combo(parent, SWT.DROP_DOWN | SWT.READ_ONLY);
        choice.setData(EstimateEditorPart.PRICE_LIST, Boolean.TRUE);
        choice.setToolTipText("Adds an item with the material's name, unit and unit price");
        choice.add(PROMPT);
        choice.select(0);
        choice.addListener(SWT.Selection, e -> {
            int index = choice.getSelectionIndex() - 1;
            choice.select(0);
            if (index >= 0 && index < materials.size()) {
                chosen.accept(materials.get(index));
            }
        });
    }

    Combo control() {
        return choice;
    }

    /** Reads the materials again, in the background. */
    void reload(EntityStore engine, UISynchronize ui) {
        if (engine.type("Material").isEmpty()) {
            choice.setVisible(false);
            return;
        }
        Job.create("Loading the price list", (IProgressMonitor monitor) -> {
            List<EntityRow> rows = engine.list("Material");
            ui.asyncExec(() -> {
                if (choice.isDisposed()) {
                    return;
                }
                materials.clear();
                choice.removeAll();
                choice.add(PROMPT);
                rows.stream().map(EntityRow::data)
                        .sorted(java.util.Comparator.comparing(d -> d.path("name").asText(""), java.text.Collator.getInstance()))
                        .forEach(d -> {
                            materials.add(d);
                            choice.add(d.path("name").asText("") + " (" + d.path("unitPrice").asText("") + " per "
                                    + d.path("unit").asText("") + ")");
                        });
                choice.select(0);
            });
            return Status.OK_STATUS;
        }).schedule();
    }
}
