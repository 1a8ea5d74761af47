package org.trestle.update.internal;

import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.equinox.app.IApplication;
import org.eclipse.equinox.app.IApplicationContext;
import org.eclipse.equinox.p2.core.IProvisioningAgent;
import org.eclipse.equinox.p2.core.ProvisionException;
import org.eclipse.equinox.p2.metadata.IInstallableUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;
import org.trestle.sync.api.SyncService;
import org.trestle.sync.api.SyncState;
import org.trestle.sync.api.trust.PinnedTrust;
import org.trestle.update.Updater;

/**
 * {@code bin/trestle --update [--site URL] [--fingerprint FP] [--check]}: updates the
 * installed workbench without a display, the same way Help &gt; Check for Updates does.
 * Exit codes: 0 done or up to date, 1 the update failed, 2 wrong usage.
 */
public final class UpdateApplication implements IApplication {

    private static final Integer FAILED = 1;
    private static final Integer USAGE = 2;

    @Override
    public Object start(IApplicationContext context) throws Exception {
        context.applicationRunning();
        String[] args = (String[]) context.getArguments().getOrDefault(IApplicationContext.APPLICATION_ARGS, new String[0]);
        PrintStream out = System.out;
        String site = null;
        String fingerprint = null;
        boolean checkOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--site" -> site = ++i < args.length ? args[i] : null;
                case "--fingerprint" -> fingerprint = ++i < args.length ? args[i] : null;
                case "--check" -> checkOnly = true;
                default -> {
                    // Launcher arguments (-os, -ws, ...) pass through here; ignore them.
                    if (args[i].startsWith("--")) {
                        System.err.println("trestle --update: unknown option " + args[i]);
                        return USAGE;
                    }
                }
            }
        }
        BundleContext bundles = FrameworkUtil.getBundle(getClass()).getBundleContext();
        out.println("Running: " + runningVersions(bundles));
        if (site == null) {
            SyncState state = registeredServer(bundles);
            if (state == null || state.serverUrl() == null) {
                System.err.println("trestle --update: no update site; give --site URL, or register with a sync server"
                        + " first (its /updates/ is the default)");
                return USAGE;
            }
            site = state.serverUrl().replaceAll("/+$", "") + "/updates/";
            fingerprint = fingerprint != null ? fingerprint : syncFingerprint(bundles);
        }
        URI uri;
        try {
            uri = siteUri(site);
        } catch (URISyntaxException | IllegalArgumentException e) {
            System.err.println("trestle --update: not a valid update site: " + site);
            return USAGE;
        }
        IProvisioningAgent agent;
        try {
            agent = Updater.runningAgent(bundles);
        } catch (ProvisionException e) {
            System.err.println("trestle --update: " + e.getMessage());
            return FAILED;
        }
        SSLContext trust = fingerprint == null || fingerprint.isBlank() ? null : PinnedTrust.context(fingerprint);
        Updater updater = new Updater(agent, trust);
        for (IInstallableUnit root : updater.installedRoots()) {
            out.println("Installed: " + root.getId() + " " + root.getVersion());
        }
        Updater.Check check = updater.check(uri, new NullProgressMonitor());
        if (check.status().getSeverity() == IStatus.ERROR) {
            System.err.println("trestle --update: " + describe(check.status()));
            return FAILED;
        }
        out.println(check.status().getMessage());
        for (Updater.Available update : check.updates()) {
            out.println(update.isNew() ? "Install: " + update.id() + " " + update.offered() + " (required by the site)"
                    : "Update: " + update.id() + " " + update.installed() + " -> " + update.offered());
        }
        if (!check.hasUpdates() || checkOnly) {
            return IApplication.EXIT_OK;
        }
        IStatus result = Updater.install(check, new NullProgressMonitor());
        if (result.getSeverity() == IStatus.ERROR || result.getSeverity() == IStatus.CANCEL) {
            System.err.println("trestle --update: " + describe(result));
            return FAILED;
        }
        out.println("Installed. Restart Trestle to use the new version.");
        return IApplication.EXIT_OK;
    }

    @Override
    public void stop() {
        // Runs to completion; an update is not interrupted half-way.
    }

    static URI siteUri(String site) throws URISyntaxException {
        if (site.contains("://") || site.startsWith("file:")) {
            URI uri = new URI(site);
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") && !scheme.equals("file")) {
                throw new IllegalArgumentException(scheme);
            }
            return uri;
        }
        return Path.of(site).toAbsolutePath().toUri();
    }

    private static String runningVersions(BundleContext context) {
        return String.join(", ", Arrays.stream(context.getBundles())
                .filter(b -> b.getSymbolicName() != null && b.getSymbolicName().startsWith("org.trestle."))
                .map(b -> b.getSymbolicName() + " " + b.getVersion())
                .sorted().toList());
    }

    private static SyncState registeredServer(BundleContext context) {
        SyncService service = syncService(context);
        return service == null ? null : service.state();
    }

    private static String syncFingerprint(BundleContext context) {
        SyncService service = syncService(context);
        return service == null ? null : service.serverFingerprint();
    }

    private static SyncService syncService(BundleContext context) {
        for (Bundle bundle : context.getBundles()) {
            // The client's components start with their bundle.
            if ("org.trestle.sync.client".equals(bundle.getSymbolicName()) && bundle.getState() != Bundle.ACTIVE) {
                try {
                    bundle.start(Bundle.START_TRANSIENT);
                } catch (Exception e) {
                    return null;
                }
            }
        }
        ServiceTracker<SyncService, SyncService> tracker = new ServiceTracker<>(context, SyncService.class, null);
        tracker.open();
        try {
            return tracker.waitForService(TimeUnit.SECONDS.toMillis(20));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            tracker.close();
        }
    }

    private static String describe(IStatus status) {
        StringBuilder text = new StringBuilder(status.getMessage());
        for (IStatus child : status.getChildren()) {
            text.append("\n  ").append(describe(child).replace("\n", "\n  "));
        }
        return text.toString();
    }

}
