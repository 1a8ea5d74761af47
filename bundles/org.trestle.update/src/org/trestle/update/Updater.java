package org.trestle.update;

import java.net.URI;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import javax.net.ssl.SSLContext;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.MultiStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.equinox.internal.p2.repository.Transport;
import org.eclipse.equinox.p2.core.IProvisioningAgent;
import org.eclipse.equinox.p2.core.IProvisioningAgentProvider;
import org.eclipse.equinox.p2.core.ProvisionException;
import org.eclipse.equinox.p2.engine.IProfile;
import org.eclipse.equinox.p2.engine.IProfileRegistry;
import org.eclipse.equinox.p2.metadata.IInstallableUnit;
import org.eclipse.equinox.p2.operations.ProvisioningJob;
import org.eclipse.equinox.p2.operations.ProvisioningSession;
import org.eclipse.equinox.p2.operations.Update;
import org.eclipse.equinox.p2.operations.UpdateOperation;
import org.eclipse.equinox.p2.query.QueryUtil;
import org.eclipse.equinox.p2.repository.artifact.IArtifactRepositoryManager;
import org.eclipse.equinox.p2.repository.metadata.IMetadataRepositoryManager;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.trestle.update.internal.UpdateTransport;

/**
 * Updates the running installation from one p2 update site with the p2 operations API:
 * {@link #check} finds newer versions of what is installed, {@link #install} installs
 * them; the new versions run after a restart. Used by Help &gt; Check for Updates and by
 * {@code bin/trestle --update}.
 */
public final class Updater {

    private static final String BUNDLE = "org.trestle.update";

    /** One installed unit and the newer version the site offers. */
    public record Available(String id, String name, String installed, String offered) {
    }

    /**
     * What a check found.
     *
     * @param status    OK with the message to show, or the error
     * @param updates   the updates found; empty when up to date or on error
     * @param operation the resolved operation to install, or {@code null}
     */
    public record Check(IStatus status, List<Available> updates, UpdateOperation operation) {

        /** @return whether there is something to install */
        public boolean hasUpdates() {
            return status.getSeverity() != IStatus.ERROR && !updates.isEmpty() && operation != null;
        }
    }

    private final IProvisioningAgent agent;

    /**
     * @param agent the running system's provisioning agent ({@link #runningAgent})
     * @param trust TLS trust for an HTTPS site, or {@code null} for the JDK's certificates
     */
    public Updater(IProvisioningAgent agent, SSLContext trust) {
        this.agent = agent;
        agent.registerService(Transport.SERVICE_NAME, new UpdateTransport(trust));
    }

    /**
     * @return the provisioning agent of the running installation
     * @throws ProvisionException when p2 is not available in this runtime
     */
    public static IProvisioningAgent runningAgent(BundleContext context) throws ProvisionException {
        ServiceReference<IProvisioningAgent> ref = context.getServiceReference(IProvisioningAgent.class);
        if (ref != null) {
            return context.getService(ref);
        }
        ServiceReference<IProvisioningAgentProvider> provider = context.getServiceReference(IProvisioningAgentProvider.class);
        if (provider == null) {
            throw new ProvisionException("p2 is not running in this installation");
        }
        return context.getService(provider).createAgent(null);
    }

    /** @return the profile this installation runs from, or {@code null} when p2 did not install it */
    public IProfile installation() {
        IProfileRegistry registry = agent.getService(IProfileRegistry.class);
        return registry == null ? null : registry.getProfile(IProfileRegistry.SELF);
    }

    /** @return the installed root units (what an update replaces), sorted by id */
    public List<IInstallableUnit> installedRoots() {
        IProfile profile = installation();
        if (profile == null) {
            return List.of();
        }
        return profile.query(QueryUtil.createIUAnyQuery(), null).stream()
                .filter(iu -> "true".equals(profile.getInstallableUnitProperty(iu, IProfile.PROP_PROFILE_ROOT_IU)))
                .sorted(Comparator.comparing(IInstallableUnit::getId)).toList();
    }

    /** Looks for newer versions of the installed roots on the site. Never throws. */
    public Check check(URI site, IProgressMonitor monitor) {
        SubMonitor progress = SubMonitor.convert(monitor, "Checking " + site, 10);
        if (installation() == null) {
            return failed("This installation was not installed by p2, so it cannot update itself."
                    + " Install Trestle from its product archive to use updates.");
        }
        try {
            // Load both repositories first, so an unreachable or invalid site is reported
            // as such instead of looking like "nothing to update".
            agent.getService(IMetadataRepositoryManager.class).loadRepository(site, progress.split(3));
            agent.getService(IArtifactRepositoryManager.class).loadRepository(site, progress.split(1));
        } catch (ProvisionException e) {
            return failed("Cannot read the update site " + site + ": " + e.getMessage());
        }
        UpdateOperation operation = new UpdateOperation(new ProvisioningSession(agent));
        operation.getProvisioningContext().setMetadataRepositories(site);
        operation.getProvisioningContext().setArtifactRepositories(site);
        IStatus status = operation.resolveModal(progress.split(6));
        if (status.getCode() == UpdateOperation.STATUS_NOTHING_TO_UPDATE) {
            return new Check(Status.info("Trestle is up to date: " + site + " has nothing newer."), List.of(), null);
        }
        if (status.getSeverity() == IStatus.ERROR || status.getSeverity() == IStatus.CANCEL) {
            return new Check(status, List.of(), null);
        }
        List<Available> updates = Arrays.stream(operation.getSelectedUpdates())
                .map(Updater::available).sorted(Comparator.comparing(Available::id)).toList();
        return new Check(Status.info(updates.size() + (updates.size() == 1 ? " update" : " updates") + " available"),
                updates, operation);
    }

    /** Installs what {@code check} found; the new versions are used after a restart. */
    public static IStatus install(Check check, IProgressMonitor monitor) {
        if (!check.hasUpdates()) {
            return failed("There is nothing to install").status();
        }
        ProvisioningJob job = check.operation().getProvisioningJob(monitor);
        if (job == null) {
            return check.operation().getResolutionResult();
        }
        IStatus result = job.runModal(monitor);
        if (result.getSeverity() == IStatus.ERROR) {
            MultiStatus wrapped = new MultiStatus(BUNDLE, 0, "The update could not be installed; Trestle is unchanged");
            wrapped.add(result);
            return wrapped;
        }
        return result;
    }

    private static Available available(Update update) {
        IInstallableUnit to = update.replacement;
        String name = to.getProperty(IInstallableUnit.PROP_NAME, null);
        return new Available(to.getId(), name == null ? to.getId() : name, update.toUpdate.getVersion().toString(),
                to.getVersion().toString());
    }

    private static Check failed(String message) {
        return new Check(Status.error(message), List.of(), null);
    }
}
