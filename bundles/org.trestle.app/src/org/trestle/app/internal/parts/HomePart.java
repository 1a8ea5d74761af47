package org.trestle.app.internal.parts;

import java.nio.file.Path;

import jakarta.annotation.PostConstruct;

import org.eclipse.e4.ui.di.Focus;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.resource.JFaceResources;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;
import org.trestle.sync.api.SyncProtocol;

/**
 * The first part a user sees: what this workbench is and where its data lives.
 */
public class HomePart {

    /** Widget data key under which tests find the data-directory field. */
    public static final String DATA_DIRECTORY_FIELD = "trestle.home.dataDirectory";

    private Text dataDirectory;

    @PostConstruct
    public void create(Composite parent) {
        GridLayoutFactory.swtDefaults().numColumns(2).margins(16, 16).spacing(12, 8).applyTo(parent);

        Label title = new Label(parent, SWT.NONE);
        title.setText("Trestle");
        title.setFont(JFaceResources.getHeaderFont());
        GridDataFactory.swtDefaults().span(2, 1).applyTo(title);

        Label intro = new Label(parent, SWT.WRAP);
        intro.setText("Everything you work on here is kept on this computer and usable offline.");
        GridDataFactory.fillDefaults().span(2, 1).grab(true, false).applyTo(intro);

        new Label(parent, SWT.NONE).setText("Local data:");
        dataDirectory = new Text(parent, SWT.READ_ONLY | SWT.BORDER);
        dataDirectory.setText(ClientDataDirectory.resolve().toString());
        dataDirectory.setData(DATA_DIRECTORY_FIELD, Boolean.TRUE);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(dataDirectory);

        new Label(parent, SWT.NONE).setText("Schema version:");
        new Label(parent, SWT.NONE).setText(SyncProtocol.SCHEMA_VERSION);
    }

    @Focus
    public void focus() {
        dataDirectory.setFocus();
    }

    /** The data directory the launcher chose, or the default one. */
    static final class ClientDataDirectory {
        private ClientDataDirectory() {
        }

        static Path resolve() {
            String configured = System.getProperty("trestle.data.dir");
            if (configured != null && !configured.isBlank()) {
                return Path.of(configured).toAbsolutePath().normalize();
            }
            return Path.of(System.getProperty("user.home"), ".trestle", "client");
        }
    }
}
