package org.trestle.app.internal.handlers;

import org.eclipse.core.runtime.IProduct;
import org.eclipse.core.runtime.Platform;
import org.eclipse.e4.core.di.annotations.Execute;
import org.eclipse.e4.core.di.extensions.Service;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.swt.widgets.Shell;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import org.trestle.sync.api.SyncService;

import jakarta.inject.Named;

/** Help &gt; About Trestle: the product's version, the plugins that bring entity types, and where this runs. */
public class AboutHandler {

    /** The dialog's title, for tests. */
    public static final String TITLE = "About Trestle";

    @Execute
    public void execute(@Named("activeShell") Shell shell, @Service SyncService sync) {
        MessageDialog.openInformation(shell, TITLE, text(sync));
    }

    /** @return what the dialog says: name and version first */
    public static String text(SyncService sync) {
        IProduct product = Platform.getProduct();
        Bundle defining = product != null ? product.getDefiningBundle() : FrameworkUtil.getBundle(AboutHandler.class);
        String name = product != null && product.getName() != null ? product.getName() : "Trestle";
        StringBuilder out = new StringBuilder(name + " " + defining.getVersion() + "\n\n");
        out.append("Entity types installed:\n");
        sync.engine().entities().types().stream().sorted(java.util.Comparator.comparing(t -> t.label()))
                .forEach(t -> out.append("  ").append(t.label()).append(" (version ").append(t.version()).append(")\n"));
        out.append("\nJava ").append(System.getProperty("java.version")).append(", ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch"));
        return out.toString();
    }
}
