package org.trestle.app.parts;

import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.swt.widgets.Shell;

/**
 * The question asked before an edit that is not saved would be left (another record
 * chosen, a new one started): Save, Don't save, or Cancel to stay with the edit.
 *
 * @since 0.1
 */
public enum SavePrompt {
    SAVE, DISCARD, STAY;

    /** The title of the question, for tests that answer it. */
    public static final String TITLE = "Unsaved changes";

    /**
     * @param what what holds the edit, as the question names it: "Project P-7 Harbour bridge"
     * @return what the person chose (closing the question is {@link #STAY})
     */
    public static SavePrompt ask(Shell shell, String what) {
        MessageDialog ask = new MessageDialog(shell, TITLE, null, "Save your changes to " + what + "?",
                MessageDialog.QUESTION, 0, "Save", "Don't save", "Cancel");
        return switch (ask.open()) {
            case 0 -> SAVE;
            case 1 -> DISCARD;
            default -> STAY;
        };
    }
}
