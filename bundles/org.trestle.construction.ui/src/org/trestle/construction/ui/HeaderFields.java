package org.trestle.construction.ui;

import java.util.List;
import java.util.function.Consumer;

import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The estimate editor's header: title, status and notes, in a grid of four columns, each
 * edit told to the editor with what was edited (a text field, so that typing in it is one
 * step of undo; {@code null} for the status).
 */
final class HeaderFields {

    private final Text title;
    private final Combo status;
    private final Text notes;

    HeaderFields(Composite parent, Consumer<Object> changed) {
        new Label(parent, SWT.NONE).setText("Title:");
        title = new Text(parent, SWT.BORDER);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(title);
        new Label(parent, SWT.NONE).setText("Status:");
        status = new Combo(parent, SWT.DROP_DOWN | SWT.READ_ONLY);
        for (String s : new String[] { "DRAFT", "SUBMITTED", "APPROVED", "REJECTED" }) {
            status.add(s);
        }
        new Label(parent, SWT.NONE).setText("Notes:");
        notes = new Text(parent, SWT.BORDER | SWT.MULTI | SWT.WRAP | SWT.V_SCROLL);
        GridDataFactory.fillDefaults().grab(true, false).span(3, 1).hint(SWT.DEFAULT, 48).applyTo(notes);
        title.addModifyListener(e -> changed.accept(title));
        notes.addModifyListener(e -> changed.accept(notes));
        status.addListener(SWT.Selection, e -> changed.accept(null));
    }

    /** Shows an estimate's header as read. */
    void show(ObjectNode header) {
        title.setText(header.path("title").asText(""));
        status.setText(header.path("status").asText("DRAFT"));
        notes.setText(header.path("notes").isNull() ? "" : header.path("notes").asText(""));
    }

    /** Shows the header of a state undo or redo went to. */
    void show(EditorState state) {
        title.setText(state.title());
        status.setText(state.status());
        notes.setText(state.notes());
    }

    String title() {
        return title.getText();
    }

    String status() {
        return status.getText();
    }

    String notes() {
        return notes.getText();
    }

    /** @return the fields, enabled only while an estimate can be edited */
    List<Control> controls() {
        return List.of(title, status, notes);
    }
}
