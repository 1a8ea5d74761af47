package org.trestle.app.internal.parts;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.core.di.annotations.Optional;
import org.eclipse.e4.core.di.extensions.Service;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.e4.ui.workbench.IWorkbench;
import org.eclipse.equinox.p2.core.IProvisioningAgent;
import org.eclipse.equinox.p2.core.ProvisionException;
import org.eclipse.equinox.p2.metadata.IInstallableUnit;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.ProgressBar;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.swt.widgets.Text;
import org.osgi.framework.FrameworkUtil;
import org.trestle.sync.api.SyncService;
import org.trestle.sync.api.SyncState;
import org.trestle.sync.api.trust.PinnedTrust;
import org.trestle.update.Updater;

/**
 * Help &gt; Check for Updates: looks for newer versions on the update site (by default the
 * sync server's {@code /updates/}), lists them, installs them with progress, and offers
 * the restart that puts them to use. All p2 work runs in background jobs.
 */
public class UpdatesPart {

    public static final String SITE = "trestle.updates.site";
    public static final String CHECK = "trestle.updates.check";
    public static final String MESSAGE = "trestle.updates.message";
    public static final String LIST = "trestle.updates.list";
    public static final String INSTALL = "trestle.updates.install";
    public static final String RESTART = "trestle.updates.restart";

    @Inject
    @Optional
    @Service
    SyncService sync;

    @Inject
    UISynchronize ui;

    @Inject
    IWorkbench workbench;

    private Text site;
    private Button check;
    private Label installed;
    private Label message;
    private Table list;
    private Button install;
    private ProgressBar progress;
    private Button restart;
    private Updater.Check found;

    @PostConstruct
    public void create(Composite parent) {
        GridLayoutFactory.swtDefaults().numColumns(3).margins(12, 12).applyTo(parent);
        new Label(parent, SWT.NONE).setText("Update site:");
        site = new Text(parent, SWT.BORDER);
        site.setData(SITE, Boolean.TRUE);
        site.setMessage("https://server:8443/updates/ or a folder");
        GridDataFactory.fillDefaults().grab(true, false).hint(380, SWT.DEFAULT).applyTo(site);
        check = new Button(parent, SWT.PUSH);
        check.setText("Check for updates");
        check.setData(CHECK, Boolean.TRUE);
        check.addListener(SWT.Selection, e -> check());

        installed = new Label(parent, SWT.WRAP);
        GridDataFactory.fillDefaults().grab(true, false).span(3, 1).hint(520, SWT.DEFAULT).applyTo(installed);
        message = new Label(parent, SWT.WRAP);
        message.setData(MESSAGE, Boolean.TRUE);
        GridDataFactory.fillDefaults().grab(true, false).span(3, 1).hint(520, SWT.DEFAULT).applyTo(message);

        list = new Table(parent, SWT.BORDER | SWT.FULL_SELECTION);
        list.setData(LIST, Boolean.TRUE);
        list.setHeaderVisible(true);
        for (String title : new String[] { "Update", "Installed version", "New version" }) {
            TableColumn column = new TableColumn(list, SWT.NONE);
            column.setText(title);
            column.setWidth(title.equals("Update") ? 260 : 200);
        }
        GridDataFactory.fillDefaults().grab(true, true).span(3, 1).hint(SWT.DEFAULT, 120).applyTo(list);

        install = new Button(parent, SWT.PUSH);
        install.setText("Install updates");
        install.setData(INSTALL, Boolean.TRUE);
        install.setEnabled(false);
        install.addListener(SWT.Selection, e -> install());
        progress = new ProgressBar(parent, SWT.HORIZONTAL | SWT.SMOOTH);
        GridDataFactory.fillDefaults().grab(true, false).applyTo(progress);
        restart = new Button(parent, SWT.PUSH);
        restart.setText("Restart now");
        restart.setData(RESTART, Boolean.TRUE);
        restart.setEnabled(false);
        restart.addListener(SWT.Selection, e -> workbench.restart());

        showInstalled();
    }

    /** Checks the site in the text field (also what the Help menu's command does). */
    public void check() {
        String text = site.getText().trim();
        if (text.isEmpty() && sync != null) {
            // the default site is read in the background; the check follows when it is known
            Job.create("Finding the update site", (IProgressMonitor monitor) -> {
                String fallback = defaultSite();
                ui.asyncExec(() -> {
                    if (site.isDisposed()) {
                        return;
                    }
                    if (fallback != null && site.getText().isEmpty()) {
                        site.setText(fallback);
                        check();
                    } else if (site.getText().isEmpty()) {
                        show("Enter the update site: the sync server's https://.../updates/ address, or a folder.");
                    }
                });
                return Status.OK_STATUS;
            }).schedule();
            return;
        }
        URI uri;
        try {
            uri = siteUri(text);
        } catch (IllegalArgumentException e) {
            show("Enter the update site: the sync server's https://.../updates/ address, or a folder.");
            return;
        }
        found = null;
        list.removeAll();
        install.setEnabled(false);
        check.setEnabled(false);
        show("Checking " + uri + " ...");
        Job.create("Checking for Trestle updates", (IProgressMonitor monitor) -> {
            Updater.Check result;
            try {
                String fingerprint = sync != null && sameServer(uri) ? sync.serverFingerprint() : null;
                result = new Updater(runningAgent(),
                        fingerprint == null || fingerprint.isBlank() ? null : PinnedTrust.context(fingerprint)).check(uri, monitor);
            } catch (ProvisionException | RuntimeException e) {
                result = new Updater.Check(Status.error("Cannot check for updates: " + e.getMessage()), List.of(), null);
            }
            Updater.Check done = result;
            ui.asyncExec(() -> showCheck(done));
            return Status.OK_STATUS;
        }).schedule();
    }

    private void showCheck(Updater.Check result) {
        if (check.isDisposed()) {
            return;
        }
        check.setEnabled(true);
        found = result;
        show(result.status().getMessage() + details(result.status()));
        for (Updater.Available update : result.updates()) {
            TableItem item = new TableItem(list, SWT.NONE);
            item.setText(new String[] { update.name(), update.isNew() ? "not installed (required)" : update.installed(),
                    update.offered() });
        }
        install.setEnabled(result.hasUpdates());
    }

    private void install() {
        Updater.Check toInstall = found;
        if (toInstall == null || !toInstall.hasUpdates()) {
            return;
        }
        install.setEnabled(false);
        check.setEnabled(false);
        progress.setSelection(0);
        show("Installing " + toInstall.updates().size() + (toInstall.updates().size() == 1 ? " update" : " updates")
                + " ...");
        Job.create("Installing Trestle updates", (IProgressMonitor monitor) -> {
            IStatus status = Updater.install(toInstall, new ProgressUpdater(monitor));
            ui.asyncExec(() -> {
                if (check.isDisposed()) {
                    return;
                }
                check.setEnabled(true);
                progress.setSelection(progress.getMaximum());
                if (status.getSeverity() == IStatus.ERROR || status.getSeverity() == IStatus.CANCEL) {
                    show(status.getMessage() + details(status));
                } else {
                    found = null;
                    restart.setEnabled(true);
                    show("The updates are installed. Restart Trestle to use them: your data is saved as you work.");
                }
            });
            return Status.OK_STATUS;
        }).schedule();
    }

    /** Reports p2's progress on the progress bar. */
    private final class ProgressUpdater extends NullProgressMonitor {
        private final IProgressMonitor job;
        private double total = 1;
        private double done;

        ProgressUpdater(IProgressMonitor job) {
            this.job = job;
        }

        @Override
        public void beginTask(String name, int totalWork) {
            total = Math.max(1, totalWork);
            job.beginTask(name, totalWork);
        }

        @Override
        public void internalWorked(double work) {
            done += work;
            int percent = (int) Math.min(100, done * 100 / total);
            ui.asyncExec(() -> {
                if (!progress.isDisposed()) {
                    progress.setSelection(percent);
                }
            });
        }

        @Override
        public void worked(int work) {
            internalWorked(work);
        }

        @Override
        public boolean isCanceled() {
            return job.isCanceled();
        }
    }

    /** @return the registered server's /updates/, or {@code null} */
    private String defaultSite() {
        String server = sync == null ? null : sync.serverUrl();
        return server == null ? null : server.replaceAll("/+$", "") + "/updates/";
    }

    private IProvisioningAgent runningAgent() throws ProvisionException {
        return Updater.runningAgent(FrameworkUtil.getBundle(getClass()).getBundleContext());
    }

    private void showInstalled() {
        Job.create("Reading the installed version", (IProgressMonitor monitor) -> {
            String fallback = defaultSite();
            String text;
            try {
                List<IInstallableUnit> roots = new Updater(runningAgent(), null).installedRoots();
                text = roots.isEmpty() ? "This copy of Trestle was not installed from a p2 site and cannot update itself."
                        : "Installed: " + String.join(", ", roots.stream()
                                .map(iu -> iu.getProperty(IInstallableUnit.PROP_NAME, null) == null ? iu.getId()
                                        : iu.getProperty(IInstallableUnit.PROP_NAME, null) + " " + iu.getVersion())
                                .toList());
            } catch (ProvisionException | RuntimeException e) {
                text = "Updates are not available: " + e.getMessage();
            }
            String shown = text;
            ui.asyncExec(() -> {
                if (!installed.isDisposed()) {
                    if (fallback != null && site.getText().isEmpty()) {
                        site.setText(fallback);
                    }
                    installed.setText(shown);
                    installed.getParent().layout(true, true);
                }
            });
            return Status.OK_STATUS;
        }).schedule();
    }

    private boolean sameServer(URI uri) {
        String url = sync == null ? null : sync.serverUrl();
        if (url == null) {
            return false;
        }
        URI server = URI.create(url);
        return server.getHost() != null && server.getHost().equalsIgnoreCase(uri.getHost())
                && server.getPort() == uri.getPort() && "https".equalsIgnoreCase(uri.getScheme());
    }

    static URI siteUri(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty");
        }
        if (text.startsWith("http://") || text.startsWith("https://") || text.startsWith("file:")) {
            URI uri = URI.create(text);
            return text.endsWith("/") || text.startsWith("file:") ? uri : URI.create(text + "/");
        }
        return Path.of(text).toAbsolutePath().toUri();
    }

    private void show(String text) {
        message.setText(text);
        message.getParent().layout(true, true);
    }

    private static String details(IStatus status) {
        StringBuilder text = new StringBuilder();
        for (IStatus child : status.getChildren()) {
            text.append("\n  ").append(child.getMessage()).append(details(child).replace("\n", "\n  "));
        }
        return text.toString();
    }
}
