package org.trestle.app.internal.handlers;

import org.eclipse.e4.core.di.annotations.Execute;
import org.eclipse.e4.core.di.extensions.Service;
import org.eclipse.jface.preference.PreferenceDialog;
import org.eclipse.jface.preference.PreferenceManager;
import org.eclipse.jface.preference.PreferenceNode;
import org.eclipse.swt.widgets.Shell;
import org.trestle.app.internal.parts.SyncPreferencePage;
import org.trestle.sync.api.SyncService;

import jakarta.inject.Named;

/** Window &gt; Preferences: the workbench's settings, a page per subject. */
public class PreferencesHandler {

    /** The dialog's title, for tests. */
    public static final String TITLE = "Preferences";

    @Execute
    public void execute(@Named("activeShell") Shell shell, @Service SyncService sync) {
        PreferenceManager pages = new PreferenceManager();
        pages.addToRoot(new PreferenceNode("sync", new SyncPreferencePage(sync)));
        PreferenceDialog dialog = new PreferenceDialog(shell, pages) {
            @Override
            protected void configureShell(Shell newShell) {
                super.configureShell(newShell);
                newShell.setText(TITLE);
            }
        };
        dialog.open();
    }
}
