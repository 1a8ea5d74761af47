package org.trestle.update.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
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

import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.equinox.p2.core.IProvisioningAgent;
import org.eclipse.equinox.p2.core.IProvisioningAgentProvider;
import org.eclipse.equinox.p2.metadata.IInstallableUnit;
import org.eclipse.equinox.p2.metadata.MetadataFactory;
import org.eclipse.equinox.p2.metadata.Version;
import org.eclipse.equinox.p2.metadata.VersionRange;
import org.eclipse.equinox.p2.publisher.IPublisherAction;
import org.eclipse.equinox.p2.publisher.IPublisherInfo;
import org.eclipse.equinox.p2.publisher.Publisher;
import org.eclipse.equinox.p2.publisher.PublisherInfo;
import org.eclipse.equinox.p2.publisher.eclipse.BundlesAction;
import org.eclipse.equinox.p2.publisher.eclipse.FeaturesAction;
import org.eclipse.equinox.p2.repository.artifact.IArtifactRepositoryManager;
import org.eclipse.equinox.p2.repository.metadata.IMetadataRepository;
import org.eclipse.equinox.p2.repository.metadata.IMetadataRepositoryManager;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;

/**
 * What the update tests share: the build's workbench product and update site, copies of
 * the installation, sites published from them with p2's publisher as an administrator
 * would, and the shipped commands run as processes.
 */
final class Installations {

    static final Path ROOT = Path.of(System.getProperty("trestle.root", "../..")).toAbsolutePath().normalize();
    static final Path PRODUCT = ROOT.resolve(
            "releng/org.trestle.workbench.product/target/products/org.trestle.workbench/linux/gtk/x86_64/trestle");
    static final Path REPOSITORY = ROOT.resolve("releng/org.trestle.repository/target/repository");

    /** What a command printed and how it ended. */
    record Run(int exit, String output) {
    }

    private Installations() {
    }

    static void assertBuilt() {
        assertTrue(Files.isDirectory(PRODUCT.resolve("p2")), "the workbench product is built at " + PRODUCT);
        assertTrue(Files.isRegularFile(REPOSITORY.resolve("content.jar"))
                || Files.isRegularFile(REPOSITORY.resolve("content.xml.xz")), "the update site is built at " + REPOSITORY);
    }

    /** A copy of the build's site to publish more into, without the derived files p2 would read first. */
    static Path siteCopy(Path site) throws IOException {
        copyTree(REPOSITORY, site);
        for (String derived : List.of("p2.index", "content.xml.xz", "artifacts.xml.xz")) {
            Files.deleteIfExists(site.resolve(derived));
        }
        return site;
    }

    /**
     * Publishes features and bundles into a site, and, when {@code requiredFeature} is
     * given, the category {@code org.trestle.required} naming that feature.
     */
    static void publish(Path work, Path site, List<Path> features, List<Path> bundles, String requiredFeature)
            throws Exception {
        BundleContext context = FrameworkUtil.getBundle(Installations.class).getBundleContext();
        IProvisioningAgentProvider provider = context.getService(context.getServiceReference(IProvisioningAgentProvider.class));
        IProvisioningAgent agent = provider.createAgent(Files.createTempDirectory(work, "publisher-agent").toUri());
        try {
            PublisherInfo info = new PublisherInfo();
            IMetadataRepository metadata = agent.getService(IMetadataRepositoryManager.class).loadRepository(site.toUri(), null);
            info.setMetadataRepository(metadata);
            info.setArtifactRepository(agent.getService(IArtifactRepositoryManager.class).loadRepository(site.toUri(), null));
            info.setArtifactOptions(IPublisherInfo.A_PUBLISH | IPublisherInfo.A_INDEX);
            IStatus status = new Publisher(info).publish(new IPublisherAction[] {
                    new FeaturesAction(features.stream().map(Path::toFile).toArray(File[]::new)),
                    new BundlesAction(bundles.stream().map(Path::toFile).toArray(File[]::new)) }, new NullProgressMonitor());
            assertTrue(status.isOK(), status.toString());
            if (requiredFeature != null) {
                var category = new MetadataFactory.InstallableUnitDescription();
                category.setId("org.trestle.required");
                category.setVersion(Version.create("1.0.0"));
                category.setProperty(MetadataFactory.InstallableUnitDescription.PROP_TYPE_CATEGORY, "true");
                category.setProperty(IInstallableUnit.PROP_NAME, "Required by every workbench");
                category.addRequirements(List.of(MetadataFactory.createRequirement(IInstallableUnit.NAMESPACE_IU_ID,
                        requiredFeature + ".feature.group", VersionRange.emptyRange, null, false, false)));
                category.addProvidedCapabilities(List.of(MetadataFactory.createProvidedCapability(
                        IInstallableUnit.NAMESPACE_IU_ID, "org.trestle.required", Version.create("1.0.0"))));
                metadata.addInstallableUnits(List.of(MetadataFactory.createInstallableUnit(category)));
            }
        } finally {
            agent.stop();
        }
    }

    /** A feature jar holding one plugin. */
    static Path feature(Path to, String id, String version, String plugin, String pluginVersion) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(to))) {
            out.putNextEntry(new JarEntry("feature.xml"));
            out.write(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feature id=\"" + id + "\" label=\"" + id
                    + "\" version=\"" + version + "\">\n  <plugin id=\"" + plugin + "\" version=\"" + pluginVersion
                    + "\" unpack=\"false\"/>\n</feature>\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return to;
    }

    /** The same bundle with another version, and entries replaced by name. */
    static Path rewriteBundle(Path from, Path to, String version, java.util.Map<String, byte[]> replaced)
            throws IOException {
        try (JarFile jar = new JarFile(from.toFile())) {
            Manifest manifest = new Manifest(jar.getManifest());
            manifest.getMainAttributes().put(new Attributes.Name("Bundle-Version"), version);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(to), manifest)) {
                for (JarEntry entry : java.util.Collections.list(jar.entries())) {
                    if (entry.getName().equals(JarFile.MANIFEST_NAME) || entry.getName().startsWith("META-INF/MANIFEST")) {
                        continue;
                    }
                    out.putNextEntry(new JarEntry(entry.getName()));
                    byte[] instead = replaced.get(entry.getName());
                    if (instead != null) {
                        out.write(instead);
                    } else {
                        try (InputStream in = jar.getInputStream(entry)) {
                            in.transferTo(out);
                        }
                    }
                    out.closeEntry();
                }
            }
        }
        return to;
    }

    /** The sample plugin as this build made it. */
    static Path sampleJar() throws IOException {
        Path target = ROOT.resolve("tests/org.trestle.sample.safety/target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().matches("org\\.trestle\\.sample\\.safety-.*\\.jar")
                    && !p.getFileName().toString().contains("sources")).findFirst()
                    .orElseThrow(() -> new AssertionError("the sample plugin is not built in " + target));
        }
    }

    /** bin/trestle with the installation in {@code installed}, headless. */
    static Run trestle(Path work, Path installed, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", ROOT.resolve("bin/trestle").toString(), "--data-dir",
                work.resolve("client").toString()));
        command.addAll(List.of(args));
        return run(work, command, installed, true);
    }

    /** bin/trestle-sync on a data directory of the test, running the given installation. */
    static Run sync(Path work, Path installed, String dataDir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", ROOT.resolve("bin/trestle-sync").toString(), "--data-dir",
                work.resolve("laptop-" + dataDir).toString()));
        command.addAll(List.of(args));
        return run(work, command, installed, false);
    }

    private static Run run(Path work, List<String> command, Path installed, boolean headless) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("TRESTLE_WORKBENCH_DIR", installed.toString());
        if (headless) {
            builder.environment().remove("DISPLAY");
        }
        Path log = Files.createTempFile(work, "run", ".log");
        Process process = builder.redirectOutput(log.toFile()).start();
        if (!process.waitFor(4, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish: " + Files.readString(log));
        }
        return new Run(process.exitValue(), Files.readString(log));
    }

    /** bin/trestle-server on plain HTTP with a plugins folder; @return the process and its URL */
    static Process server(Path work, Path plugins, String[] url) throws Exception {
        Path log = work.resolve("server.log");
        Process server = new ProcessBuilder("bash", ROOT.resolve("bin/trestle-server").toString(), "--http", "--port", "0",
                "--data-dir", work.resolve("server").toString(), "--enrollment-key", "k", "--plugins-dir",
                plugins.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        for (int i = 0; i < 1200 && url[0] == null; i++) {
            url[0] = Files.readAllLines(log).stream().filter(l -> l.startsWith("Trestle server listening on "))
                    .map(l -> l.substring("Trestle server listening on ".length()).trim()).findFirst().orElse(null);
            if (url[0] == null) {
                assertTrue(server.isAlive(), () -> "the server stopped: " + read(log));
                Thread.sleep(100);
            }
        }
        assertTrue(url[0] != null, "the server started");
        return server;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    static List<Path> find(Path dir, String name) {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(p -> p.getFileName().toString().equals(name)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    static Path only(Path dir, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
            assertEquals(1, found.size(), prefix + "* in " + dir + ": " + found);
            return found.get(0);
        }
    }

    static long countFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
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
}
