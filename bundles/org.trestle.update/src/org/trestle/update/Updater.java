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
import org.eclipse.equinox.p2.operations.InstallOperation;
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
 * {@link #check} finds newer versions of what is installed, and the features the site
 * requires of every workbench that are not installed yet (the members of its category
 * {@value #REQUIRED_CATEGORY}: how an administrator rolls out a new domain plugin);
 * {@link #install} installs both; they run after a restart. Used by Help &gt; Check for
 * Updates and by {@code bin/trestle --update}.
 */
public final class Updater {

    private static final String BUNDLE = "org.trestle.update";

    /** The name of the site category whose features every workbench must have. */
    public static final String REQUIRED_CATEGORY = "org.trestle.required";

    /**
     * One installed unit and the newer version the site offers, or a unit the site
     * requires that is not installed ({@code installed} is then {@code null}).
     */
    public record Available(String id, String name, String installed, String offered) {

        /** @return whether this is a unit new to the installation */
        public boolean isNew() {
            return installed == null;
        }
    }

    /**
     * What a check found.
     *
     * @param status    OK with the message to show, or the error
     * @param updates   the updates and required units found; empty when up to date or on error
     * @param operation the resolved update of installed units, or {@code null}
     * @param required  the resolved installation of required units not installed yet, or {@code null}
     * @param session   the provisioning session both were resolved in, or {@code null}
     */
    public record Check(IStatus status, List<Available> updates, UpdateOperation operation, InstallOperation required,
            ProvisioningSession session) {

        public Check(IStatus status, List<Available> updates, UpdateOperation operation) {
            this(status, updates, operation, null, null);
        }

        /** @return whether there is something to install */
        public boolean hasUpdates() {
            return status.getSeverity() != IStatus.ERROR && !updates.isEmpty() && (operation != null || required != null);
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
        ProvisioningSession session = new ProvisioningSession(agent);
        List<IInstallableUnit> missing = requiredNotInstalled(site, progress.split(1));
        InstallOperation required = null;
        List<Available> found = new java.util.ArrayList<>();
        if (!missing.isEmpty()) {
            required = new InstallOperation(session, missing);
            required.getProvisioningContext().setMetadataRepositories(site);
            required.getProvisioningContext().setArtifactRepositories(site);
            IStatus resolved = required.resolveModal(progress.split(2));
            if (resolved.getSeverity() == IStatus.ERROR || resolved.getSeverity() == IStatus.CANCEL) {
                return new Check(resolved, List.of(), null);
            }
            for (IInstallableUnit iu : missing) {
                String name = iu.getProperty(IInstallableUnit.PROP_NAME, null);
                found.add(new Available(iu.getId(), name == null ? iu.getId() : name, null, iu.getVersion().toString()));
            }
        }
        UpdateOperation operation = new UpdateOperation(session);
        operation.getProvisioningContext().setMetadataRepositories(site);
        operation.getProvisioningContext().setArtifactRepositories(site);
        IStatus status = operation.resolveModal(progress.split(4));
        if (status.getCode() == UpdateOperation.STATUS_NOTHING_TO_UPDATE) {
            operation = null;
        } else if (status.getSeverity() == IStatus.ERROR || status.getSeverity() == IStatus.CANCEL) {
            return new Check(status, List.of(), null);
        } else {
            Arrays.stream(operation.getSelectedUpdates()).map(Updater::available).forEach(found::add);
        }
        if (found.isEmpty()) {
            return new Check(Status.info("Trestle is up to date: " + site + " has nothing newer."), List.of(), null);
        }
        found.sort(Comparator.comparing(Available::id));
        long fresh = found.stream().filter(Available::isNew).count();
        long newer = found.size() - fresh;
        String message = (newer == 0 ? "" : newer + (newer == 1 ? " update" : " updates"))
                + (newer > 0 && fresh > 0 ? " and " : "")
                + (fresh == 0 ? "" : fresh + (fresh == 1 ? " required feature" : " required features") + " to install")
                + " available";
        return new Check(Status.info(message), List.copyOf(found), operation, required, session);
    }

    /**
     * @return the newest version of each member of the site's {@value #REQUIRED_CATEGORY}
     *         category that the installation does not have at all
     */
    private List<IInstallableUnit> requiredNotInstalled(URI site, IProgressMonitor monitor) {
        org.eclipse.equinox.p2.repository.metadata.IMetadataRepository repository;
        try {
            repository = agent.getService(IMetadataRepositoryManager.class).loadRepository(site, monitor);
        } catch (ProvisionException e) {
            return List.of();
        }
        IProfile profile = installation();
        java.util.Map<String, IInstallableUnit> newest = new java.util.TreeMap<>();
        for (IInstallableUnit category : repository.query(QueryUtil.createIUCategoryQuery(), monitor)) {
            String id = category.getId();
            if (!id.equals(REQUIRED_CATEGORY) && !id.endsWith("." + REQUIRED_CATEGORY)) {
                continue;
            }
            for (IInstallableUnit member : repository.query(QueryUtil.createIUCategoryMemberQuery(category), monitor)) {
                if (!profile.query(QueryUtil.createIUQuery(member.getId()), monitor).isEmpty()) {
                    continue; // installed: updating it is the update operation's part
                }
                newest.merge(member.getId(), member, (a, b) -> a.getVersion().compareTo(b.getVersion()) >= 0 ? a : b);
            }
        }
        return List.copyOf(newest.values());
    }

    /**
     * Installs what {@code check} found: the required units first, then the updates
     * (resolved again against the installation as the first step left it). The new
     * versions are used after a restart.
     */
    public static IStatus install(Check check, IProgressMonitor monitor) {
        if (!check.hasUpdates()) {
            return failed("There is nothing to install").status();
        }
        IStatus result = Status.OK_STATUS;
        if (check.required() != null) {
            result = run(check.required().getProvisioningJob(monitor), check.required().getResolutionResult(), monitor);
            if (result.getSeverity() == IStatus.ERROR || check.operation() == null) {
                return result;
            }
        }
        if (check.operation() != null) {
            UpdateOperation update = check.operation();
            if (check.required() != null) {
                // the installation changed under the update resolved before: resolve it again
                update = new UpdateOperation(check.session());
                update.setProvisioningContext(check.operation().getProvisioningContext());
                IStatus resolved = update.resolveModal(monitor);
                if (resolved.getCode() == UpdateOperation.STATUS_NOTHING_TO_UPDATE) {
                    return result;
                }
            }
            result = run(update.getProvisioningJob(monitor), update.getResolutionResult(), monitor);
        }
        return result;
    }

    private static IStatus run(ProvisioningJob job, IStatus resolution, IProgressMonitor monitor) {
        if (job == null) {
            return resolution;
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
