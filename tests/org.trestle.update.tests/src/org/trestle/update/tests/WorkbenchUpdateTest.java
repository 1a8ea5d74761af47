package org.trestle.update.tests;

import static org.trestle.update.tests.Installations.copyTree;
import static org.trestle.update.tests.Installations.countFiles;
import static org.trestle.update.tests.Installations.find;
import static org.trestle.update.tests.Installations.only;
import static org.trestle.update.tests.Installations.publish;
import static org.trestle.update.tests.Installations.rewriteBundle;
import static org.trestle.update.tests.Installations.siteCopy;

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

    private static final Path PRODUCT = Installations.PRODUCT;
    private static final Path REPOSITORY = Installations.REPOSITORY;

    @TempDir
    Path work;

    @BeforeAll
    static void locateBuild() {
        Installations.assertBuilt();
    }

    @Test
    void aNewerBundleOnTheSiteIsFoundInstalledAndRunsAfterRestart() throws Exception {
        Path installed = work.resolve("trestle");
        copyTree(PRODUCT, installed);
        Path oldJar = only(REPOSITORY.resolve("plugins"), BUNDLE + "_");
        String oldVersion = versionOf(oldJar, BUNDLE);
        String newVersion = oldVersion + "u";
        Path site = publishNewer(oldVersion, newVersion);

        Installations.Run check = trestle(installed, "--update", "--check", "--site", site.toString());
        assertEquals(0, check.exit(), check.output());
        assertTrue(check.output().contains("Running: ") && check.output().contains(BUNDLE + " " + oldVersion), check.output());
        assertTrue(check.output().contains("Update: " + WORKBENCH + ".feature.group " + oldVersion + " -> " + newVersion),
                check.output());
        assertFalse(Files.exists(installed.resolve("plugins/" + BUNDLE + "_" + newVersion + ".jar")),
                "--check only lists the updates");

        Installations.Run update = trestle(installed, "--update", "--site", site.toString());
        assertEquals(0, update.exit(), update.output());
        assertTrue(update.output().contains("Installed. Restart Trestle to use the new version."), update.output());
        assertTrue(Files.isRegularFile(installed.resolve("plugins/" + BUNDLE + "_" + newVersion + ".jar")),
                () -> update.output() + "\nnew jar found at: " + find(work, BUNDLE + "_" + newVersion + ".jar"));
        String bundlesInfo = Files.readString(
                installed.resolve("configuration/org.eclipse.equinox.simpleconfigurator/bundles.info"));
        assertTrue(bundlesInfo.contains(BUNDLE + "," + newVersion + ","), bundlesInfo);
        assertFalse(bundlesInfo.contains(BUNDLE + "," + oldVersion + ","), "the old version is replaced");

        Installations.Run restarted = trestle(installed, "--update", "--check", "--site", site.toString());
        assertEquals(0, restarted.exit(), restarted.output());
        assertTrue(restarted.output().contains(BUNDLE + " " + newVersion), "the new bundle runs: " + restarted.output());
        assertTrue(restarted.output().contains("Installed: " + WORKBENCH + ".feature.group " + newVersion), restarted.output());
        assertTrue(restarted.output().contains("Trestle is up to date"), restarted.output());

        assertTrue(Files.isRegularFile(PRODUCT.resolve("plugins/" + BUNDLE + "_" + oldVersion + ".jar")),
                "the build's own product is left alone");
    }

    @Test
    void theBuildsOwnSiteHasNothingNewer() throws Exception {
        Path installed = work.resolve("trestle");
        copyTree(PRODUCT, installed);
        Installations.Run check = trestle(installed, "--update", "--site", REPOSITORY.toString());
        assertEquals(0, check.exit(), check.output());
        assertTrue(check.output().contains("Trestle is up to date"), check.output());
    }

    @Test
    void anUnreachableOrInvalidSiteIsAnErrorNotUpToDate() throws Exception {
        Path installed = work.resolve("trestle");
        copyTree(PRODUCT, installed);
        Installations.Run offline = trestle(installed, "--update", "--site", "http://127.0.0.1:9/updates/");
        assertEquals(1, offline.exit(), offline.output());
        assertTrue(offline.output().contains("Cannot read the update site http://127.0.0.1:9/updates/"), offline.output());

        Path empty = Files.createDirectories(work.resolve("not-a-site"));
        Files.writeString(empty.resolve("content.xml"), "<repository><units>", StandardCharsets.UTF_8);
        Installations.Run invalid = trestle(installed, "--update", "--site", empty.toString());
        assertEquals(1, invalid.exit(), invalid.output());
        assertTrue(invalid.output().contains("Cannot read the update site"), invalid.output());

        Installations.Run usage = trestle(installed, "--update", "--site", "ftp://example.invalid/site");
        assertEquals(2, usage.exit(), usage.output());
        assertTrue(usage.output().contains("not a valid update site"), usage.output());
    }

    // --- the newer repository -------------------------------------------------------

    private Path publishNewer(String oldVersion, String newVersion) throws Exception {
        Path staging = Files.createDirectories(work.resolve("staging"));
        Path bundle = staging.resolve(BUNDLE + "_" + newVersion + ".jar");
        rewriteBundle(only(REPOSITORY.resolve("plugins"), BUNDLE + "_"), bundle, newVersion, java.util.Map.of());
        Path domain = staging.resolve(DOMAIN + "_" + newVersion + ".jar");
        rewriteFeature(only(REPOSITORY.resolve("features"), DOMAIN + "_"), domain, newVersion, "plugin", BUNDLE);
        Path workbench = staging.resolve(WORKBENCH + "_" + newVersion + ".jar");
        rewriteFeature(only(REPOSITORY.resolve("features"), WORKBENCH + "_"), workbench, newVersion, "includes", DOMAIN);

        // The site an administrator publishes: this build's repository with the newer
        // bundle and features added to it.
        Path site = siteCopy(work.resolve("site"));
        long bundlesBefore = countFiles(site.resolve("plugins"));
        long featuresBefore = countFiles(site.resolve("features"));
        publish(work, site, List.of(domain, workbench), List.of(bundle), null);
        assertEquals(bundlesBefore + 1, countFiles(site.resolve("plugins")), "one bundle published");
        assertEquals(featuresBefore + 2, countFiles(site.resolve("features")), "two features published");
        return site;
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

    // --- helpers --------------------------------------------------------------------

    private Installations.Run trestle(Path installed, String... args) throws Exception {
        return Installations.trestle(work, installed, args);
    }

    private static String versionOf(Path jar, String id) {
        String name = jar.getFileName().toString();
        return name.substring(id.length() + 1, name.length() - ".jar".length());
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
