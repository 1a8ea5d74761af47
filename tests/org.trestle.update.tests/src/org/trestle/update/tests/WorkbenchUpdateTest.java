package org.trestle.update.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.equinox.p2.core.IProvisioningAgent;
import org.eclipse.equinox.p2.core.IProvisioningAgentProvider;
import org.eclipse.equinox.p2.publisher.IPublisherAction;
import org.eclipse.equinox.p2.publisher.IPublisherInfo;
import org.eclipse.equinox.p2.publisher.Publisher;
import org.eclipse.equinox.p2.publisher.PublisherInfo;
import org.eclipse.equinox.p2.publisher.eclipse.BundlesAction;
import org.eclipse.equinox.p2.publisher.eclipse.FeaturesAction;
import org.eclipse.equinox.p2.repository.artifact.IArtifactRepositoryManager;
import org.eclipse.equinox.p2.repository.metadata.IMetadataRepositoryManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Installs the workbench product from this build (a copy of the materialized product,
 * with its p2 profile), publishes a newer {@code org.trestle.resources} bundle with the
 * features that carry it into a local p2 repository, and lets the installed workbench
 * update itself through {@code bin/trestle --update}, as an administrator's fleet or a
 * user's Help &gt; Check for Updates would. Then restarts it and checks the new bundle runs.
 */
class WorkbenchUpdateTest {

    private static final String BUNDLE = "org.trestle.resources";
    private static final String DOMAIN = "org.trestle.domain.feature";
    private static final String WORKBENCH = "org.trestle.workbench.feature";
    private static final String SAMPLE = "org.trestle.sample.safety";
    private static final String SAMPLE_FEATURE = "org.trestle.sample.safety.feature";

    private static Path root;
    private static Path product;
    private static Path repository;

    @TempDir
    Path work;

    @BeforeAll
    static void locateBuild() {
        root = Path.of(System.getProperty("trestle.root", "../..")).toAbsolutePath().normalize();
        product = root.resolve("releng/org.trestle.workbench.product/target/products/org.trestle.workbench/linux/gtk/x86_64/trestle");
        repository = root.resolve("releng/org.trestle.repository/target/repository");
        assertTrue(Files.isDirectory(product.resolve("p2")), "the workbench product is built at " + product);
        assertTrue(Files.isRegularFile(repository.resolve("content.jar")) || Files.isRegularFile(repository.resolve("content.xml.xz")),
                "the update site is built at " + repository);
    }

    @Test
    void aNewerBundleOnTheSiteIsFoundInstalledAndRunsAfterRestart() throws Exception {
        Path installed = work.resolve("trestle");
        copyTree(product, installed);
        Path oldJar = only(repository.resolve("plugins"), BUNDLE + "_");
        String oldVersion = versionOf(oldJar, BUNDLE);
        String newVersion = oldVersion + "u";
        Path site = publishNewer(oldVersion, newVersion);

        Run check = trestle(installed, "--update", "--check", "--site", site.toString());
        assertEquals(0, check.exit, check.output);
        assertTrue(check.output.contains("Running: ") && check.output.contains(BUNDLE + " " + oldVersion), check.output);
        assertTrue(check.output.contains("Update: " + WORKBENCH + ".feature.group " + oldVersion + " -> " + newVersion),
                check.output);
        assertFalse(Files.exists(installed.resolve("plugins/" + BUNDLE + "_" + newVersion + ".jar")),
                "--check only lists the updates");

        Run update = trestle(installed, "--update", "--site", site.toString());
        assertEquals(0, update.exit, update.output);
        assertTrue(update.output.contains("Installed. Restart Trestle to use the new version."), update.output);
        assertTrue(Files.isRegularFile(installed.resolve("plugins/" + BUNDLE + "_" + newVersion + ".jar")),
                () -> update.output + "\nnew jar found at: " + find(work, BUNDLE + "_" + newVersion + ".jar"));
        String bundlesInfo = Files.readString(
                installed.resolve("configuration/org.eclipse.equinox.simpleconfigurator/bundles.info"));
        assertTrue(bundlesInfo.contains(BUNDLE + "," + newVersion + ","), bundlesInfo);
        assertFalse(bundlesInfo.contains(BUNDLE + "," + oldVersion + ","), "the old version is replaced");

        Run restarted = trestle(installed, "--update", "--check", "--site", site.toString());
        assertEquals(0, restarted.exit, restarted.output);
        assertTrue(restarted.output.contains(BUNDLE + " " + newVersion), "the new bundle runs: " + restarted.output);
        assertTrue(restarted.output.contains("Installed: " + WORKBENCH + ".feature.group " + newVersion), restarted.output);
        assertTrue(restarted.output.contains("Trestle is up to date"), restarted.output);

        assertTrue(Files.isRegularFile(product.resolve("plugins/" + BUNDLE + "_" + oldVersion + ".jar")),
                "the build's own product is left alone");
    }

    /**
     * A domain plugin that did not exist when the workbench was built, put in the site's
     * required category: the installed workbench installs it, runs it after a restart,
     * and its entities then synchronize through a server that runs it from its plugins
     * folder, while a laptop without it keeps them and says so.
     */
    @Test
    void aRequiredNewPluginIsInstalledAndItsEntitiesSynchronize() throws Exception {
        Path installed = work.resolve("trestle");
        copyTree(product, installed);
        Path plugin = sampleJar();
        Path site = publishRequired(plugin);

        Run check = trestle(installed, "--update", "--check", "--site", site.toString());
        assertEquals(0, check.exit, check.output);
        assertTrue(check.output.contains("Install: " + SAMPLE_FEATURE + ".feature.group 0.1.0 (required by the site)"),
                check.output);
        Run update = trestle(installed, "--update", "--site", site.toString());
        assertEquals(0, update.exit, update.output);
        assertTrue(update.output.contains("Installed. Restart Trestle to use the new version."), update.output);
        Run restarted = trestle(installed, "--update", "--check", "--site", site.toString());
        assertTrue(restarted.output.contains(SAMPLE + " 0.1.0"), "the new plugin runs: " + restarted.output);
        assertTrue(restarted.output.contains("Trestle is up to date"), restarted.output);

        // its entities synchronize: a server with the plugin in its folder, two laptops on the updated installation
        Path plugins = Files.createDirectories(work.resolve("server-plugins"));
        Files.copy(plugin, plugins.resolve(plugin.getFileName()));
        Process server = new ProcessBuilder("bash", root.resolve("bin/trestle-server").toString(), "--http", "--port", "0",
                "--data-dir", work.resolve("server").toString(), "--enrollment-key", "k", "--plugins-dir",
                plugins.toString()).redirectErrorStream(true).redirectOutput(work.resolve("server.log").toFile()).start();
        try {
            String url = null;
            for (int i = 0; i < 1200 && url == null; i++) {
                url = Files.readAllLines(work.resolve("server.log")).stream()
                        .filter(l -> l.startsWith("Trestle server listening on "))
                        .map(l -> l.substring("Trestle server listening on ".length()).trim()).findFirst().orElse(null);
                if (url == null) {
                    assertTrue(server.isAlive(), () -> "the server stopped: " + read(work.resolve("server.log")));
                    Thread.sleep(100);
                }
            }
            assertTrue(url != null, "the server started");
            assertEquals(0, sync(installed, "a", "register", "--server", url, "--code", "UPD-A", "--enrollment-key", "k").exit);
            assertEquals(0, sync(installed, "b", "register", "--server", url, "--code", "UPD-B", "--enrollment-key", "k").exit);
            assertEquals(0, sync(product, "c", "register", "--server", url, "--code", "UPD-C", "--enrollment-key", "k").exit);
            Run project = sync(installed, "a", "--json", "put", "Project", "code=UP-1", "name=Updated plant");
            String projectUuid = project.output.replaceAll("(?s).*\"uuid\":\"([^\"]+)\".*", "$1");
            Run put = sync(installed, "a", "put", "SafetyInspection", "project=" + projectUuid, "inspectedOn=2026-12-03",
                    "inspector=Anna", "passed=true");
            assertEquals(0, put.exit, put.output);
            assertEquals(0, sync(installed, "a", "sync").exit);
            Run onB = sync(installed, "b", "sync");
            assertEquals(0, onB.exit, onB.output);
            Run listed = sync(installed, "b", "list", "SafetyInspection");
            assertTrue(listed.output.contains("Anna"), "the inspection reached B: " + listed.output);
            assertEquals(0, sync(product, "c", "sync").exit);
            Run status = sync(product, "c", "status");
            assertTrue(status.output.contains("1 change of types this computer does not have (SafetyInspection)"),
                    "C without the plugin says what it waits for: " + status.output);
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theBuildsOwnSiteHasNothingNewer() throws Exception {
        Path installed = work.resolve("trestle");
        copyTree(product, installed);
        Run check = trestle(installed, "--update", "--site", repository.toString());
        assertEquals(0, check.exit, check.output);
        assertTrue(check.output.contains("Trestle is up to date"), check.output);
    }

    @Test
    void anUnreachableOrInvalidSiteIsAnErrorNotUpToDate() throws Exception {
        Path installed = work.resolve("trestle");
        copyTree(product, installed);
        Run offline = trestle(installed, "--update", "--site", "http://127.0.0.1:9/updates/");
        assertEquals(1, offline.exit, offline.output);
        assertTrue(offline.output.contains("Cannot read the update site http://127.0.0.1:9/updates/"), offline.output);

        Path empty = Files.createDirectories(work.resolve("not-a-site"));
        Files.writeString(empty.resolve("content.xml"), "<repository><units>", StandardCharsets.UTF_8);
        Run invalid = trestle(installed, "--update", "--site", empty.toString());
        assertEquals(1, invalid.exit, invalid.output);
        assertTrue(invalid.output.contains("Cannot read the update site"), invalid.output);

        Run usage = trestle(installed, "--update", "--site", "ftp://example.invalid/site");
        assertEquals(2, usage.exit, usage.output);
        assertTrue(usage.output.contains("not a valid update site"), usage.output);
    }

    // --- the newer repository -------------------------------------------------------

    private Path publishNewer(String oldVersion, String newVersion) throws Exception {
        Path staging = Files.createDirectories(work.resolve("staging"));
        Path bundle = staging.resolve(BUNDLE + "_" + newVersion + ".jar");
        rewriteBundle(only(repository.resolve("plugins"), BUNDLE + "_"), bundle, newVersion);
        Path domain = staging.resolve(DOMAIN + "_" + newVersion + ".jar");
        rewriteFeature(only(repository.resolve("features"), DOMAIN + "_"), domain, newVersion, "plugin", BUNDLE);
        Path workbench = staging.resolve(WORKBENCH + "_" + newVersion + ".jar");
        rewriteFeature(only(repository.resolve("features"), WORKBENCH + "_"), workbench, newVersion, "includes", DOMAIN);

        // The site an administrator publishes: this build's repository with the newer
        // bundle and features added to it.
        Path site = work.resolve("site");
        copyTree(repository, site);
        // p2 rewrites content.jar and artifacts.jar; drop the XZ copies and the index
        // that would otherwise be read first, as a publishing script does.
        for (String derived : List.of("p2.index", "content.xml.xz", "artifacts.xml.xz")) {
            Files.deleteIfExists(site.resolve(derived));
        }
        long bundlesBefore = countFiles(site.resolve("plugins"));
        long featuresBefore = countFiles(site.resolve("features"));
        BundleContext context = FrameworkUtil.getBundle(getClass()).getBundleContext();
        IProvisioningAgentProvider provider = context.getService(context.getServiceReference(IProvisioningAgentProvider.class));
        IProvisioningAgent agent = provider.createAgent(work.resolve("publisher-agent").toUri());
        try {
            PublisherInfo info = new PublisherInfo();
            info.setMetadataRepository(agent.getService(IMetadataRepositoryManager.class).loadRepository(site.toUri(), null));
            info.setArtifactRepository(agent.getService(IArtifactRepositoryManager.class).loadRepository(site.toUri(), null));
            info.setArtifactOptions(IPublisherInfo.A_PUBLISH | IPublisherInfo.A_INDEX);
            IStatus status = new Publisher(info).publish(new IPublisherAction[] {
                    new FeaturesAction(new File[] { domain.toFile(), workbench.toFile() }),
                    new BundlesAction(new File[] { bundle.toFile() }) }, new NullProgressMonitor());
            assertTrue(status.isOK(), status.toString());
        } finally {
            agent.stop();
        }
        assertEquals(bundlesBefore + 1, countFiles(site.resolve("plugins")), "one bundle published");
        assertEquals(featuresBefore + 2, countFiles(site.resolve("features")), "two features published");
        return site;
    }

    private static void rewriteBundle(Path from, Path to, String version) throws IOException {
        try (JarFile jar = new JarFile(from.toFile())) {
            Manifest manifest = new Manifest(jar.getManifest());
            manifest.getMainAttributes().put(new Attributes.Name("Bundle-Version"), version);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(to), manifest)) {
                for (JarEntry entry : java.util.Collections.list(jar.entries())) {
                    if (entry.getName().equals(JarFile.MANIFEST_NAME) || entry.getName().startsWith("META-INF/MANIFEST")) {
                        continue;
                    }
                    out.putNextEntry(new JarEntry(entry.getName()));
                    try (InputStream in = jar.getInputStream(entry)) {
                        in.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
    }

    /** The same feature with a new version, and the new version for one child element. */
    private static void rewriteFeature(Path from, Path to, String version, String childTag, String childId)
            throws Exception {
        try (JarFile jar = new JarFile(from.toFile());
                JarOutputStream out = new JarOutputStream(Files.newOutputStream(to))) {
            for (JarEntry entry : java.util.Collections.list(jar.entries())) {
                out.putNextEntry(new JarEntry(entry.getName()));
                try (InputStream in = jar.getInputStream(entry)) {
                    if (entry.getName().equals("feature.xml")) {
                        Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
                        xml.getDocumentElement().setAttribute("version", version);
                        NodeList children = xml.getElementsByTagName(childTag);
                        int changed = 0;
                        for (int i = 0; i < children.getLength(); i++) {
                            Element child = (Element) children.item(i);
                            if (child.getAttribute("id").equals(childId)) {
                                child.setAttribute("version", version);
                                changed++;
                            }
                        }
                        assertEquals(1, changed, childTag + " " + childId + " in " + from);
                        TransformerFactory.newInstance().newTransformer().transform(new DOMSource(xml),
                                new StreamResult(noClose(out)));
                    } else {
                        in.transferTo(out);
                    }
                }
                out.closeEntry();
            }
        }
    }

    /** The sample plugin as this build made it. */
    private static Path sampleJar() throws IOException {
        Path target = root.resolve("tests/" + SAMPLE + "/target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().matches("org\\.trestle\\.sample\\.safety-.*\\.jar")
                    && !p.getFileName().toString().contains("sources")).findFirst()
                    .orElseThrow(() -> new AssertionError("the sample plugin is not built in " + target));
        }
    }

    /**
     * This build's site, with the sample plugin, a feature for it, and the category
     * {@code org.trestle.required} naming that feature, published as an administrator
     * would publish a new domain plugin for the fleet.
     */
    private Path publishRequired(Path plugin) throws Exception {
        Path staging = Files.createDirectories(work.resolve("staging-required"));
        Path bundle = staging.resolve(SAMPLE + "_0.1.0.jar");
        rewriteBundle(plugin, bundle, "0.1.0");
        Path feature = staging.resolve(SAMPLE_FEATURE + "_0.1.0.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(feature))) {
            out.putNextEntry(new JarEntry("feature.xml"));
            out.write(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feature id=\"" + SAMPLE_FEATURE
                    + "\" label=\"Safety inspections\" version=\"0.1.0\">\n  <plugin id=\"" + SAMPLE
                    + "\" version=\"0.1.0\" unpack=\"false\"/>\n</feature>\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        Path site = work.resolve("site-required");
        copyTree(repository, site);
        for (String derived : List.of("p2.index", "content.xml.xz", "artifacts.xml.xz")) {
            Files.deleteIfExists(site.resolve(derived));
        }
        BundleContext context = FrameworkUtil.getBundle(getClass()).getBundleContext();
        IProvisioningAgentProvider provider = context.getService(context.getServiceReference(IProvisioningAgentProvider.class));
        IProvisioningAgent agent = provider.createAgent(work.resolve("publisher-agent-required").toUri());
        try {
            PublisherInfo info = new PublisherInfo();
            var metadata = agent.getService(IMetadataRepositoryManager.class).loadRepository(site.toUri(), null);
            info.setMetadataRepository(metadata);
            info.setArtifactRepository(agent.getService(IArtifactRepositoryManager.class).loadRepository(site.toUri(), null));
            info.setArtifactOptions(IPublisherInfo.A_PUBLISH | IPublisherInfo.A_INDEX);
            IStatus status = new Publisher(info).publish(new IPublisherAction[] {
                    new FeaturesAction(new File[] { feature.toFile() }), new BundlesAction(new File[] { bundle.toFile() }) },
                    new NullProgressMonitor());
            assertTrue(status.isOK(), status.toString());
            var category = new org.eclipse.equinox.p2.metadata.MetadataFactory.InstallableUnitDescription();
            category.setId("org.trestle.required");
            category.setVersion(org.eclipse.equinox.p2.metadata.Version.create("1.0.0"));
            category.setProperty(org.eclipse.equinox.p2.metadata.MetadataFactory.InstallableUnitDescription.PROP_TYPE_CATEGORY,
                    "true");
            category.setProperty(org.eclipse.equinox.p2.metadata.IInstallableUnit.PROP_NAME, "Required by every workbench");
            category.addRequirements(List.of(org.eclipse.equinox.p2.metadata.MetadataFactory.createRequirement(
                    org.eclipse.equinox.p2.metadata.IInstallableUnit.NAMESPACE_IU_ID, SAMPLE_FEATURE + ".feature.group",
                    org.eclipse.equinox.p2.metadata.VersionRange.emptyRange, null, false, false)));
            category.addProvidedCapabilities(List.of(org.eclipse.equinox.p2.metadata.MetadataFactory.createProvidedCapability(
                    org.eclipse.equinox.p2.metadata.IInstallableUnit.NAMESPACE_IU_ID, "org.trestle.required",
                    org.eclipse.equinox.p2.metadata.Version.create("1.0.0"))));
            metadata.addInstallableUnits(List.of(org.eclipse.equinox.p2.metadata.MetadataFactory.createInstallableUnit(category)));
        } finally {
            agent.stop();
        }
        return site;
    }

    /** bin/trestle-sync on a data directory of this test, running the given installation. */
    private Run sync(Path installation, String dataDir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("bin/trestle-sync").toString(), "--data-dir",
                work.resolve("laptop-" + dataDir).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("TRESTLE_WORKBENCH_DIR", installation.toString());
        Path log = Files.createTempFile(work, "sync", ".log");
        Process process = builder.redirectOutput(log.toFile()).start();
        if (!process.waitFor(4, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("bin/trestle-sync " + String.join(" ", args) + " did not finish: " + Files.readString(log));
        }
        return new Run(process.exitValue(), Files.readString(log));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    // --- helpers --------------------------------------------------------------------

    private record Run(int exit, String output) {
    }

    private Run trestle(Path installed, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(root.resolve("bin/trestle").toString());
        command.add("--data-dir");
        command.add(work.resolve("client").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("TRESTLE_WORKBENCH_DIR", installed.toString());
        builder.environment().remove("DISPLAY");
        Path log = Files.createTempFile(work, "trestle", ".log");
        Process process = builder.redirectOutput(log.toFile()).start();
        if (!process.waitFor(4, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("bin/trestle " + String.join(" ", args) + " did not finish: " + Files.readString(log));
        }
        return new Run(process.exitValue(), Files.readString(log));
    }

    private static List<Path> find(Path dir, String name) {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(p -> p.getFileName().toString().equals(name)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String versionOf(Path jar, String id) {
        String name = jar.getFileName().toString();
        return name.substring(id.length() + 1, name.length() - ".jar".length());
    }

    private static Path only(Path dir, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
            assertEquals(1, found.size(), prefix + "* in " + dir + ": " + found);
            return found.get(0);
        }
    }

    private static long countFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static OutputStream noClose(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }
}
