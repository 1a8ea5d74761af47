package org.trestle.update.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trestle.update.tests.Installations.PRODUCT;
import static org.trestle.update.tests.Installations.copyTree;
import static org.trestle.update.tests.Installations.feature;
import static org.trestle.update.tests.Installations.publish;
import static org.trestle.update.tests.Installations.rewriteBundle;
import static org.trestle.update.tests.Installations.sampleJar;
import static org.trestle.update.tests.Installations.siteCopy;
import static org.trestle.update.tests.Installations.sync;
import static org.trestle.update.tests.Installations.trestle;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trestle.update.tests.Installations.Run;

/**
 * A domain plugin rolled out to a fleet through p2: the sample plugin, which the
 * workbench product does not contain, published in the site's required category; then
 * a later version of it that adds an attribute and renames another, while laptops run
 * both versions against a server that runs the later one.
 */
class PluginRolloutTest {

    private static final String SAMPLE = "org.trestle.sample.safety";
    private static final String SAMPLE_FEATURE = "org.trestle.sample.safety.feature";
    private static final String CLASS = "org/trestle/sample/safety/SafetyInspection.class";

    @TempDir
    Path work;

    @BeforeAll
    static void locateBuild() {
        Installations.assertBuilt();
    }

    /** The sample plugin in a version of its own, published with its feature in the required category. */
    private Path site(String name, String version, Map<String, byte[]> replaced) throws Exception {
        Path staging = Files.createDirectories(work.resolve("staging-" + name));
        Path bundle = rewriteBundle(sampleJar(), staging.resolve(SAMPLE + "_" + version + ".jar"), version, replaced);
        Path featureJar = feature(staging.resolve(SAMPLE_FEATURE + "_" + version + ".jar"), SAMPLE_FEATURE, version, SAMPLE,
                version);
        Path site = siteCopy(work.resolve("site-" + name));
        publish(work, site, List.of(featureJar), List.of(bundle), SAMPLE_FEATURE);
        return site;
    }

    private Path installedFrom(String name, Path... sites) throws Exception {
        Path installed = work.resolve("installed-" + name);
        copyTree(PRODUCT, installed);
        for (Path site : sites) {
            Run update = trestle(work, installed, "--update", "--site", site.toString());
            assertEquals(0, update.exit(), update.output());
            assertTrue(update.output().contains("Installed. Restart Trestle to use the new version."), update.output());
        }
        return installed;
    }

    private static String uuidOf(Run put) {
        return put.output().replaceAll("(?s).*\"uuid\":\"([^\"]+)\".*", "$1");
    }

    /**
     * The installed workbench installs the required plugin and runs it after a restart;
     * its entities then reach another updated laptop through a server that runs it from its
     * plugins folder, while a laptop without it keeps them and says so.
     */
    @Test
    void aRequiredNewPluginIsInstalledAndItsEntitiesSynchronize() throws Exception {
        Path site = site("required", "0.1.0", Map.of());
        Path installed = work.resolve("installed");
        copyTree(PRODUCT, installed);
        Run check = trestle(work, installed, "--update", "--check", "--site", site.toString());
        assertEquals(0, check.exit(), check.output());
        assertTrue(check.output().contains("Install: " + SAMPLE_FEATURE + ".feature.group 0.1.0 (required by the site)"),
                check.output());
        Run update = trestle(work, installed, "--update", "--site", site.toString());
        assertEquals(0, update.exit(), update.output());
        Run restarted = trestle(work, installed, "--update", "--check", "--site", site.toString());
        assertTrue(restarted.output().contains(SAMPLE + " 0.1.0"), "the new plugin runs: " + restarted.output());
        assertTrue(restarted.output().contains("Trestle is up to date"), restarted.output());

        Path plugins = Files.createDirectories(work.resolve("server-plugins"));
        Files.copy(sampleJar(), plugins.resolve("sample.jar"));
        String[] url = new String[1];
        Process server = Installations.server(work, plugins, url);
        try {
            assertEquals(0, sync(work, installed, "a", "register", "--server", url[0], "--code", "UPD-A", "--enrollment-key", "k").exit());
            assertEquals(0, sync(work, installed, "b", "register", "--server", url[0], "--code", "UPD-B", "--enrollment-key", "k").exit());
            assertEquals(0, sync(work, PRODUCT, "c", "register", "--server", url[0], "--code", "UPD-C", "--enrollment-key", "k").exit());
            String project = uuidOf(sync(work, installed, "a", "--json", "put", "Project", "code=UP-1", "name=Updated plant"));
            Run put = sync(work, installed, "a", "put", "SafetyInspection", "project=" + project, "inspectedOn=2026-12-03",
                    "inspector=Anna", "passed=true");
            assertEquals(0, put.exit(), put.output());
            assertEquals(0, sync(work, installed, "a", "sync").exit());
            assertEquals(0, sync(work, installed, "b", "sync").exit());
            Run listed = sync(work, installed, "b", "list", "SafetyInspection");
            assertTrue(listed.output().contains("Anna"), "the inspection reached B: " + listed.output());
            assertEquals(0, sync(work, PRODUCT, "c", "sync").exit());
            Run status = sync(work, PRODUCT, "c", "status");
            assertTrue(status.output().contains("1 change of types this computer does not have (SafetyInspection)"),
                    "C without the plugin says what it waits for: " + status.output());
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * A schema change rolled out through p2 to half the fleet: version 1.1.0 of the
     * sample plugin adds {@code weather} and renames {@code findings} to {@code notes}
     * (declared as a migration). The server runs 1.1.0; laptop A stays on 1.0.0, laptop B
     * is updated through p2; both edit the same inspection and no value is lost.
     */
    @Test
    void aSchemaChangeRolledOutToHalfTheFleetLosesNothing() throws Exception {
        Path v10 = site("v10", "1.0.0", Map.of());
        byte[] plugin = rewrittenPluginXml();
        Path v11 = site("v11", "1.1.0", Map.of(CLASS, compiledRevision(), "plugin.xml", plugin));
        Path old = installedFrom("old", v10);
        Path updated = installedFrom("updated", v10, v11);
        Run running = trestle(work, updated, "--update", "--check", "--site", v11.toString());
        assertTrue(running.output().contains(SAMPLE + " 1.1.0"), "B's installation runs 1.1.0: " + running.output());

        Path plugins = Files.createDirectories(work.resolve("server-plugins"));
        Files.copy(Installations.only(work.resolve("staging-v11"), SAMPLE + "_"), plugins.resolve("sample.jar"));
        String[] url = new String[1];
        Process server = Installations.server(work, plugins, url);
        try {
            assertEquals(0, sync(work, old, "a", "register", "--server", url[0], "--code", "OLD-A", "--enrollment-key", "k").exit());
            assertEquals(0, sync(work, updated, "b", "register", "--server", url[0], "--code", "NEW-B", "--enrollment-key", "k").exit());
            String project = uuidOf(sync(work, old, "a", "--json", "put", "Project", "code=RO-1", "name=Rollout yard"));
            String inspection = uuidOf(sync(work, old, "a", "--json", "put", "SafetyInspection", "project=" + project,
                    "inspectedOn=2026-12-03", "inspector=Anna", "passed=false", "findings=cracks in slab"));
            assertEquals(0, sync(work, old, "a", "sync").exit());

            assertEquals(0, sync(work, updated, "b", "sync").exit());
            String onB = sync(work, updated, "b", "--json", "list", "SafetyInspection").output();
            assertTrue(onB.contains("\"notes\":\"cracks in slab\""), "A's findings arrived at B as notes: " + onB);
            Run edit = sync(work, updated, "b", "put", "SafetyInspection", "--uuid", inspection, "weather=rain",
                    "notes=cracks in slab, east side");
            assertEquals(0, edit.exit(), edit.output());
            assertEquals(0, sync(work, updated, "b", "sync").exit());

            assertEquals(0, sync(work, old, "a", "sync").exit());
            String onA = sync(work, old, "a", "--json", "list", "SafetyInspection").output();
            assertTrue(onA.contains("\"findings\":\"cracks in slab, east side\""), "B's notes arrived at A as findings: " + onA);
            Run status = sync(work, old, "a", "status");
            assertTrue(!status.output().contains("refused") && !status.output().contains("does not have"), status.output());
            Run editA = sync(work, old, "a", "put", "SafetyInspection", "--uuid", inspection, "inspector=Ben");
            assertEquals(0, editA.exit(), editA.output());
            assertEquals(0, sync(work, old, "a", "sync").exit());

            assertEquals(0, sync(work, updated, "b", "sync").exit());
            String end = sync(work, updated, "b", "--json", "list", "SafetyInspection").output();
            assertTrue(end.contains("\"inspector\":\"Ben\""), "A's edit reached B: " + end);
            assertTrue(end.contains("\"weather\":\"rain\""), "A's edit kept B's weather, which A does not know: " + end);
            assertTrue(end.contains("\"notes\":\"cracks in slab, east side\""), "and B's notes: " + end);
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The sample's declaration in version 1.1.0, with the rename as its migration. */
    private static byte[] rewrittenPluginXml() throws Exception {
        String xml = Files.readString(Installations.ROOT.resolve("tests/" + SAMPLE + "/plugin.xml"));
        String declared = xml.replaceFirst("scope=\"scoped\" scopedBy=\"project\"/>",
                "scope=\"scoped\" scopedBy=\"project\" version=\"1.1.0\">\n"
                        + "         <migration to=\"1.1.0\"><rename from=\"findings\" to=\"notes\"/></migration>\n"
                        + "      </entity>");
        assertTrue(!declared.equals(xml), "the sample's declaration changed");
        return declared.getBytes(StandardCharsets.UTF_8);
    }

    /** SafetyInspection as version 1.1.0 has it, compiled against the installation's bundles. */
    private byte[] compiledRevision() throws Exception {
        Path source = Installations.ROOT.resolve("tests/" + SAMPLE + "/src/org/trestle/sample/safety/SafetyInspection.java");
        String code = Files.readString(source).replace("findings", "notes").replace("Findings", "Notes")
                .replace("    @Override\n    public List<String> validate",
                        "    @Column(length = 64)\n    private String weather;\n\n"
                                + "    public String getWeather() { return weather; }\n"
                                + "    public void setWeather(String weather) { this.weather = weather; }\n\n"
                                + "    @Override\n    public List<String> validate");
        assertTrue(code.contains("weather"), "the revision adds weather");
        Path src = Files.createDirectories(work.resolve("revision/src/org/trestle/sample/safety"));
        Files.writeString(src.resolve("SafetyInspection.java"), code);
        Path out = Files.createDirectories(work.resolve("revision/classes"));
        Path plugins = PRODUCT.resolve("plugins");
        String classpath = String.join(java.io.File.pathSeparator,
                Installations.only(plugins, "jakarta.persistence-api_").toString(),
                Installations.only(plugins, "org.trestle.construction_").toString(),
                Installations.only(plugins, "org.trestle.sync.api_").toString());
        javax.tools.JavaCompiler compiler = javax.tools.ToolProvider.getSystemJavaCompiler();
        assertTrue(compiler != null, "a JDK compiler in the test runtime");
        java.io.StringWriter errors = new java.io.StringWriter();
        int result = compiler.run(null, null, new java.io.PrintStream(new java.io.ByteArrayOutputStream()) {
            @Override
            public void write(byte[] b, int off, int len) {
                errors.write(new String(b, off, len, StandardCharsets.UTF_8));
            }
        }, "--release", "21", "-proc:none", "-cp", classpath, "-d", out.toString(), src.resolve("SafetyInspection.java").toString());
        assertEquals(0, result, errors.toString());
        return Files.readAllBytes(out.resolve(CLASS));
    }
}
