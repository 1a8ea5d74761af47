package org.trestle.app.internal.parts;

import java.time.Duration;

import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.jface.preference.PreferencePage;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Spinner;
import org.trestle.sync.api.SyncService;

/**
 * Window &gt; Preferences &gt; Synchronization: whether and how often this computer
 * synchronizes on its own, and whether what it sends is compressed. Applied with Apply or
 * OK, kept in the sync client's instance preferences; Restore Defaults shows the defaults.
 */
public class SyncPreferencePage extends PreferencePage {

    /** Widget data key of the interval's spinner, for tests. */
    public static final String INTERVAL = "trestle.preferences.interval";
    private static final boolean AUTO_DEFAULT = true;
    private static final int MINUTES_DEFAULT = 5;
    private static final boolean COMPRESSION_DEFAULT = true;

    private final SyncService sync;
    private Button auto;
    private Spinner minutes;
    private Button compression;

    public SyncPreferencePage(SyncService sync) {
        super("Synchronization");
        this.sync = sync;
        setDescription("How this computer exchanges changes with the office server.");
    }

    @Override
    protected Control createContents(Composite parent) {
        Composite area = new Composite(parent, SWT.NONE);
        GridLayoutFactory.fillDefaults().numColumns(2).applyTo(area);
        auto = new Button(area, SWT.CHECK);
        auto.setText("Synchronize automatically");
        GridDataFactory.swtDefaults().span(2, 1).applyTo(auto);
        new Label(area, SWT.NONE).setText("Every (minutes):");
        minutes = new Spinner(area, SWT.BORDER);
        minutes.setValues(MINUTES_DEFAULT, 1, 24 * 60, 0, 1, 10);
        minutes.setData(INTERVAL, Boolean.TRUE);
        compression = new Button(area, SWT.CHECK);
        compression.setText("Compress what is sent (GZIP)");
        GridDataFactory.swtDefaults().span(2, 1).applyTo(compression);
        Label note = new Label(area, SWT.WRAP);
        note.setText("Changes from the server also arrive within seconds while it can push them; the interval"
                + " is how often this computer asks when it cannot.");
        GridDataFactory.fillDefaults().span(2, 1).hint(380, SWT.DEFAULT).applyTo(note);
        auto.setSelection(sync.isAutoSync());
        minutes.setSelection((int) Math.max(1, sync.interval().toMinutes()));
        compression.setSelection(sync.isCompression());
        return area;
    }

    @Override
    protected void performDefaults() {
        auto.setSelection(AUTO_DEFAULT);
        minutes.setSelection(MINUTES_DEFAULT);
        compression.setSelection(COMPRESSION_DEFAULT);
        super.performDefaults();
    }

    @Override
    public boolean performOk() {
        if (auto == null) {
            return true; // never shown: nothing to apply
        }
        sync.setAutoSync(auto.getSelection());
        sync.setInterval(Duration.ofMinutes(minutes.getSelection()));
        sync.setCompression(compression.getSelection());
        return true;
    }
}
