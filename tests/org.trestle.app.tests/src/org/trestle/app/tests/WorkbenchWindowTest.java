package org.trestle.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.text.PDFTextStripper;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.preferences.InstanceScope;
import org.eclipse.e4.core.commands.ECommandService;
import org.eclipse.e4.core.commands.EHandlerService;
import org.eclipse.e4.ui.model.application.ui.basic.MPart;
import org.eclipse.e4.ui.model.application.ui.basic.MPartStack;
import org.eclipse.e4.ui.model.application.ui.basic.MWindow;
import org.eclipse.e4.ui.workbench.IPresentationEngine;
import org.eclipse.e4.ui.workbench.modeling.EModelService;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.CTabFolder;
import org.eclipse.swt.custom.CTabItem;
import org.eclipse.swt.custom.ScrolledComposite;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.printing.Printer;
import org.eclipse.swt.printing.PrinterData;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.DateTime;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Link;
import org.eclipse.swt.widgets.Menu;
import org.eclipse.swt.widgets.MenuItem;
import org.eclipse.swt.widgets.ProgressBar;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Spinner;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.swt.widgets.Text;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.util.tracker.ServiceTracker;
import org.trestle.app.internal.handlers.AboutHandler;
import org.trestle.app.internal.handlers.PreferencesHandler;
import org.trestle.app.internal.parts.ConflictNotices;
import org.trestle.app.internal.parts.ConflictsPart;
import org.trestle.app.internal.parts.HomePart;
import org.trestle.app.internal.parts.SyncPreferencePage;
import org.trestle.app.internal.parts.SyncSettingsPart;
import org.trestle.app.internal.parts.SyncStatusControl;
import org.trestle.app.internal.parts.TabTitles;
import org.trestle.app.internal.parts.UpdatesPart;
import org.trestle.app.internal.parts.WindowLayout;
import org.trestle.app.parts.DateField;
import org.trestle.app.parts.EntityTablePart;
import org.trestle.construction.Estimate;
import org.trestle.construction.ui.EstimateEditorPart;
import org.trestle.resources.Material;
import org.trestle.sync.api.ConflictReport;
import org.trestle.sync.api.EntityWrite;
import org.trestle.sync.api.Resolution;
import org.trestle.sync.api.SyncEngine;
import org.trestle.sync.api.SyncService;
import org.trestle.sync.api.SyncState;
import org.trestle.sync.api.SyncStatus;
import org.trestle.sync.api.SyncTopics;
import org.trestle.sync.api.entity.EntityIds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The real workbench window, as a person sees it. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkbenchWindowTest {

    @RegisterExtension
    static final RunningWorkbench WORKBENCH = new RunningWorkbench();

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void saveAllSavesTheEditsOfEveryPart() throws Exception {
        SyncEngine engine = service(SyncService.class).engine();
        Shell shell = mainShell();
        projectsWith(shell, "SA-1");
        WORKBENCH.onUi(() -> {
            visibleField(shell, "name").setText("Saved by Save All");
            return null;
        });
        showTab(shell, "Materials");
        click(shell, "New");
        WORKBENCH.onUi(() -> {
            visibleField(shell, "code").setText("SA-M");
            visibleField(shell, "name").setText("Sand");
            visibleField(shell, "unit").setText("t");
            visibleField(shell, "unitPrice").setText("30,50");
            return null;
        });
        assertEquals("*Projects|*Materials", WORKBENCH.onUi(() -> tabText(shell, "Projects") + "|" + tabText(shell, "Materials")));
        assertTrue(command(shell, "org.eclipse.ui.file.saveAll"), "File > Save All runs while parts hold edits");
        WORKBENCH.waitForUi(WAIT, "both parts saved", () -> "Projects|Materials".equals(tabText(shell, "Projects") + "|"
                + tabText(shell, "Materials")) ? Boolean.TRUE : null);
        assertTrue(engine.entities().list("Project").stream().anyMatch(r -> "Saved by Save All".equals(r.data().path("name").asText())));
        assertEquals("30.50", engine.entities().list("Material").stream().filter(r -> "SA-M".equals(r.data().path("code").asText()))
                .findFirst().orElseThrow().data().path("unitPrice").asText());
        assertFalse(command(shell, "org.eclipse.ui.file.saveAll"), "nothing left to save");
    }

    @Test
    void theLayoutAPersonLeftIsKeptForTheNextStart() throws Exception {
        Shell shell = mainShell();
        var window = WORKBENCH.onUi(() -> (MWindow) shell.getData("modelElement"));
        var models = WORKBENCH.onUi(() -> window.getContext().get(EModelService.class));
        var main = WORKBENCH.onUi(() -> (MPartStack) models
                .find("org.trestle.app.partstack.main", window));
        var side = WORKBENCH.onUi(() -> (MPartStack) models
                .find("org.trestle.app.partstack.side", window));
        var prefs = InstanceScope.INSTANCE.getNode("org.trestle.app.tests.layout");
        showTab(shell, "Materials");
        WORKBENCH.onUi(() -> { // the splitter dragged, as SashForm's renderer writes it into the model
            main.setContainerData("65");
            side.setContainerData("35");
            WindowLayout.keep(window, models, prefs);
            return null;
        });
        showTab(shell, "Projects");
        assertTrue(command(shell, "org.trestle.app.command.resetLayout"));
        WORKBENCH.onUi(() -> {
            WindowLayout.restore(window, models, prefs); // as at the next start
            return null;
        });
        assertEquals("Materials|65|35", WORKBENCH.onUi(() -> ((MPart) main
                .getSelectedElement()).getLabel() + "|" + main.getContainerData() + "|" + side.getContainerData()));
        WORKBENCH.onUi(() -> {
            prefs.put("window.shares", "wide,narrow"); // a kept value that is no number changes nothing
            prefs.put("window.front", "org.example.part.gone");
            WindowLayout.restore(window, models, prefs);
            return null;
        });
        assertEquals("Materials|65", WORKBENCH.onUi(() -> ((MPart) main
                .getSelectedElement()).getLabel() + "|" + main.getContainerData()));
        assertTrue(command(shell, "org.trestle.app.command.resetLayout"));
        prefs.removeNode();
    }

    @Test
    void resetPerspectiveRestoresTheLayoutAsItFirstCame() throws Exception {
        Shell shell = mainShell();
        var window = WORKBENCH.onUi(() -> (MWindow) shell.getData("modelElement"));
        var models = WORKBENCH.onUi(() -> window.getContext().get(EModelService.class));
        var side = WORKBENCH.onUi(() -> (MPartStack) models
                .find("org.trestle.app.partstack.side", window));
        var main = WORKBENCH.onUi(() -> (MPartStack) models
                .find("org.trestle.app.partstack.main", window));
        String weights = WORKBENCH.onUi(() -> main.getContainerData() + "/" + side.getContainerData());
        WORKBENCH.onUi(() -> {
            side.getTags().add(IPresentationEngine.MINIMIZED);
            main.setContainerData("90");
            return null;
        });
        WORKBENCH.waitForUi(WAIT, "the Conflicts column minimized", () -> side.getWidget() instanceof Control c
                && !c.isVisible() ? Boolean.TRUE : null);
        assertTrue(command(shell, "org.trestle.app.command.resetLayout"), "Window > Reset Perspective runs");
        WORKBENCH.waitForUi(WAIT, "the Conflicts column back", () -> side.getWidget() instanceof Control c
                && c.isVisible() ? Boolean.TRUE : null);
        assertFalse(WORKBENCH.onUi(() -> side.getTags().contains(IPresentationEngine.MINIMIZED)));
        assertEquals("72", WORKBENCH.onUi(main::getContainerData), "the tables' share as at the first start (was " + weights + ")");
    }

    @Test
    void helpAboutNamesTheProductItsVersionAndTheEntityTypes() throws Exception {
        Shell shell = mainShell();
        commandLater(shell, "org.trestle.app.command.about");
        Shell about = dialog(shell, "the About dialog");
        String words = WORKBENCH.onUi(() -> about.getText() + "\n" + texts(about));
        String version = FrameworkUtil.getBundle(AboutHandler.class)
                .getVersion().toString();
        assertTrue(words.startsWith("About Trestle") && words.contains("Trestle " + version), words);
        assertTrue(words.contains("Estimate item (version ") && words.contains("Material (version "), words);
        screenshot(about, "about");
        WORKBENCH.onUi(() -> {
            about.close();
            return null;
        });
    }

    @Test
    void theMainWindowIsTitledTrestleAndVisible() throws Exception {
        Shell shell = mainShell();
        assertEquals("Trestle", WORKBENCH.onUi(shell::getText));
        assertTrue(WORKBENCH.onUi(shell::isVisible));
        assertTrue(WORKBENCH.onUi(() -> shell.getSize().x >= 800 && shell.getSize().y >= 500),
                "the window opens at a usable size, not collapsed");
    }

    /**
     * Runs first, before any test picks a tab: the domain plugins' tables come from the
     * entity views extension, in the order their plugins ask for, with their icons, and the
     * sample plugin's tab does not take over the window.
     */
    @Test
    @Order(0)
    void pluginTablesComeFromTheExtensionInTheirOrderWithIconsWithoutTakingTheFocus() throws Exception {
        Shell shell = mainShell();
        CTabFolder main = WORKBENCH.waitForUi(WAIT, "the main tabs", () -> all(shell, CTabFolder.class).stream()
                .filter(f -> Arrays.stream(f.getItems()).anyMatch(i -> "Projects".equals(i.getText()))).findFirst()
                .orElse(null));
        List<String> tabs = WORKBENCH.onUi(() -> Arrays.stream(main.getItems()).map(CTabItem::getText).toList());
        assertEquals(List.of("Projects", "Estimate editor", "Estimates", "Estimate items", "Materials",
                "Safety inspections", "Sync settings", "About this computer"), tabs, "Updates opens when asked for");
        assertEquals(TabTitles.MINIMUM, WORKBENCH.onUi(main::getMinimumCharacters),
                "titles stay readable; tabs that do not fit are behind the chevron");
        assertEquals("Projects", WORKBENCH.onUi(() -> main.getSelection().getText()),
                "the first tab is shown at start, not the tab a plugin added");
        for (String tab : List.of("Projects", "Materials", "Safety inspections")) {
            assertNotNull(WORKBENCH.onUi(() -> Arrays.stream(main.getItems()).filter(i -> tab.equals(i.getText()))
                    .findFirst().orElseThrow().getImage()), "the icon its plugin declares on the tab " + tab);
        }
        assertEquals("Inspections of the sites, by project", WORKBENCH.onUi(() -> Arrays.stream(main.getItems())
                .filter(i -> "Safety inspections".equals(i.getText())).findFirst().orElseThrow().getToolTipText()));
    }

    /** A new computer says what to do first and takes the person there (the real server's test registers, last). */
    @Test
    void aComputerNotYetRegisteredLeadsToRegistration() throws Exception {
        Shell shell = mainShell();
        assertEquals(SyncStatus.UNREGISTERED, service(SyncService.class).status());
        Link register = WORKBENCH.waitForUi(WAIT, "the link to registration", () -> find(shell,
                Link.class, l -> l.getData(SyncStatusControl.REGISTER) != null && l.isVisible())
                .orElse(null));
        assertTrue(WORKBENCH.onUi(register::getText).contains("Register this computer"));
        WORKBENCH.onUi(() -> {
            register.notifyListeners(SWT.Selection, widgetEvent());
            return null;
        });
        WORKBENCH.waitForUi(WAIT, "the Sync settings shown", () -> all(shell, CTabFolder.class).stream()
                .anyMatch(f -> f.getSelection() != null && "Sync settings".equals(f.getSelection().getText())) ? Boolean.TRUE
                        : null);
        screenshot(shell, "first-start");
    }

    /** Changes waiting for a plugin are said briefly on the status line, in full in its tooltip. */
    @Test
    void changesWaitingForAPluginAreShortOnTheStatusLineAndFullInTheTooltip() {
        var state = new SyncState(SyncStatus.ONLINE, "https://office:8443",
                "L-1", "n", 0, 0, null, null, null, Map.of("SiteDiaryEntry", 3L));
        String line = SyncStatusControl.describe(state);
        assertTrue(line.contains("3 changes wait for an update") && line.length() < 90, line);
        assertEquals("https://office:8443\n3 changes of types this computer does not have (SiteDiaryEntry): update to"
                + " receive them", SyncStatusControl.tooltip(state));
    }

    /**
     * A long download (an initial load) shows a bar with the counts (grouped as the locale,
     * German in these tests, writes them) and the time left, then the same for the writing
     * of the load into the tables, and goes when it ends.
     */
    @Test
    void aLongDownloadShowsItsProgressWithCountsAndTimeLeft() throws Exception {
        assertEquals("Receiving 25.000 of 100.000 changes, about 15 s left", SyncStatusControl.receivingText(25_000,
                100_000, 5_000, Duration.ofSeconds(4)));
        assertEquals("Receiving 1.000 of 100.000 changes", SyncStatusControl.receivingText(1_000, 100_000, 1_000,
                Duration.ZERO), "no time left before a second count");
        assertEquals("Writing 400.000 of 1.000.000 received entities, about 3 min left", SyncStatusControl.writingText(
                400_000, 1_000_000, 0, Duration.ofSeconds(120)));
        Shell shell = mainShell();
        EventAdmin events = service(EventAdmin.class);
        events.postEvent(new Event(SyncTopics.PROGRESS, Map.of(SyncTopics.PROPERTY_RECEIVED, 1_000, "more", true,
                SyncTopics.PROPERTY_TOTAL, 40_000L)));
        Thread.sleep(300);
        events.postEvent(new Event(SyncTopics.PROGRESS, Map.of(SyncTopics.PROPERTY_RECEIVED, 10_000, "more", true,
                SyncTopics.PROPERTY_TOTAL, 40_000L)));
        ProgressBar bar = WORKBENCH.waitForUi(WAIT, "the download's bar", () -> find(shell,
                ProgressBar.class, b -> b.getData(SyncStatusControl.RECEIVING) != null
                        && b.isVisible() && b.getSelection() == 250).orElse(null));
        String line = WORKBENCH.waitForUi(WAIT, "the counts on the status line", () -> find(shell, Label.class,
                l -> l.getData(SyncStatusControl.STATUS_LABEL) != null && l.getText().startsWith("Receiving 10.000 of 40.000"))
                .map(Label::getText).orElse(null));
        assertTrue(line.contains("left"), line);
        screenshot(shell, "receiving");

        // the load is all here: it is written into the tables, the bar and the counts again
        events.postEvent(new Event(SyncTopics.PROGRESS, Map.of(SyncTopics.PROPERTY_PHASE, SyncTopics.PHASE_WRITING,
                SyncTopics.PROPERTY_WRITTEN, 0L, SyncTopics.PROPERTY_TOTAL, 40_000L, SyncTopics.PROPERTY_MORE, true)));
        Thread.sleep(300);
        events.postEvent(new Event(SyncTopics.PROGRESS, Map.of(SyncTopics.PROPERTY_PHASE, SyncTopics.PHASE_WRITING,
                SyncTopics.PROPERTY_WRITTEN, 30_000L, SyncTopics.PROPERTY_TOTAL, 40_000L, SyncTopics.PROPERTY_MORE, true)));
        WORKBENCH.waitForUi(WAIT, "the writing's bar", () -> bar.isVisible() && bar.getSelection() == 750 ? bar : null);
        String writing = WORKBENCH.waitForUi(WAIT, "the written counts on the status line", () -> find(shell, Label.class,
                l -> l.getData(SyncStatusControl.STATUS_LABEL) != null
                        && l.getText().startsWith("Writing 30.000 of 40.000 received entities"))
                .map(Label::getText).orElse(null));
        assertTrue(writing.contains("left"), writing);
        screenshot(shell, "writing");
        events.postEvent(new Event(SyncTopics.PROGRESS, Map.of(SyncTopics.PROPERTY_PHASE, SyncTopics.PHASE_WRITING,
                SyncTopics.PROPERTY_WRITTEN, 40_000L, SyncTopics.PROPERTY_TOTAL, 40_000L, SyncTopics.PROPERTY_MORE, false)));
        WORKBENCH.waitForUi(WAIT, "the bar gone once all is written", () -> bar.isVisible() ? null : Boolean.TRUE);
        events.postEvent(new Event(SyncTopics.COMPLETED, Map.of()));
        WORKBENCH.waitForUi(WAIT, "the bar gone after the download", () -> bar.isVisible() ? null : Boolean.TRUE);
        WORKBENCH.waitForUi(WAIT, "the status again", () -> find(shell, Label.class,
                l -> l.getData(SyncStatusControl.STATUS_LABEL) != null && !l.getText().startsWith("Receiving")).orElse(null));
    }

    /** References show the referenced record's declared title (code and name of a project), never a uuid. */
    @Test
    void referencesShowTheTitleTheirTypeDeclaresAndTheFilterFindsThem() throws Exception {
        SyncEngine engine = service(SyncService.class).engine();
        String project = UUID.randomUUID().toString();
        String gone = UUID.randomUUID().toString();
        engine.entities().put("Project", project, JsonNodeFactory.instance.objectNode().put("code", "REF-7")
                .put("name", "Quay wall"));
        engine.entities().put("Project", gone, JsonNodeFactory.instance.objectNode().put("code", "REF-8")
                .put("name", "Old depot"));
        engine.entities().put("SafetyInspection", UUID.randomUUID().toString(), JsonNodeFactory.instance.objectNode()
                .put("project", project).put("inspector", "T. Varga").put("inspectedOn", "2026-11-30"));
        engine.entities().put("SafetyInspection", UUID.randomUUID().toString(), JsonNodeFactory.instance.objectNode()
                .put("project", gone).put("inspector", "L. Brandt"));
        // a safety inspection keeps its project from being deleted here; a project can still be
        // gone from this computer while a record of another scope refers to it (written past
        // the engine, as its eviction would leave it)
        assertThrows(IllegalArgumentException.class, () -> engine.entities().delete("Project", gone));
        engine.read(em -> {
            em.getTransaction().begin();
            em.createQuery("update Project p set p.deleted = true where p.uuid = :u").setParameter("u", gone).executeUpdate();
            em.getTransaction().commit();
            em.getEntityManagerFactory().getCache().evictAll();
            return null;
        });
        Shell shell = mainShell();
        showTab(shell, "Safety inspections");
        Table table = WORKBENCH.waitForUi(WAIT, "the inspections with their projects", () -> find(shell, Table.class,
                t -> "SafetyInspection".equals(t.getData(EntityTablePart.TABLE)) && Arrays.stream(t.getItems())
                        .anyMatch(i -> Arrays.asList(cells(i)).contains("T. Varga"))).orElse(null));
        int column = WORKBENCH.onUi(() -> Arrays.asList(Arrays.stream(table.getColumns()).map(c -> c.getText())
                .toArray(String[]::new)).indexOf("Project"));
        assertTrue(column >= 0, "a Project column");
        Map<String, String> projectOf = WORKBENCH.onUi(() -> {
            Map<String, String> shown = new HashMap<>();
            for (var item : table.getItems()) {
                List<String> cells = Arrays.asList(cells(item));
                shown.put(cells.contains("T. Varga") ? "T. Varga" : cells.contains("L. Brandt") ? "L. Brandt" : "?",
                        item.getText(column));
            }
            return shown;
        });
        assertEquals("REF-7 Quay wall", projectOf.get("T. Varga"));
        assertEquals(EntityTablePart.NOT_HERE, projectOf.get("L. Brandt"), "a deleted project is said so, not shown as a uuid");
        Text filter = WORKBENCH.onUi(() -> find(table.getShell(), Text.class, t -> t.getData(EntityTablePart.FILTER) != null
                && t.isVisible()).orElseThrow());
        List<String> filtered = WORKBENCH.onUi(() -> {
            filter.setText("quay");
            return Arrays.stream(table.getItems()).map(i -> i.getText(column)).toList();
        });
        WORKBENCH.onUi(() -> {
            filter.setText("");
            return null;
        });
        assertEquals(List.of("REF-7 Quay wall"), filtered, "the filter matches what a reference shows");
        screenshot(shell, "entity-table-references");
    }

    /** @return an empty SWT event to notify a widget's listeners with, as a click or a key brings one */
    private static org.eclipse.swt.widgets.Event widgetEvent() {
        return new org.eclipse.swt.widgets.Event(); // the name Event is the OSGi event's in this class
    }

    private static String[] cells(TableItem item) {
        String[] texts = new String[item.getParent().getColumnCount()];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = item.getText(i);
        }
        return texts;
    }

    @Test
    void theHomePartShowsWhereLocalDataLives() throws Exception {
        Shell shell = mainShell();
        showTab(shell, "About this computer");
        Text field = WORKBENCH.waitForUi(WAIT, "the data-directory field of the Home part",
                () -> find(shell, Text.class, t -> t.getData(HomePart.DATA_DIRECTORY_FIELD) != null).orElse(null));
        String expected = Path.of(System.getProperty("trestle.data.dir")).toAbsolutePath().normalize().toString();
        assertEquals(expected, WORKBENCH.onUi(field::getText));
        String service = Files.readString(Path.of(expected, "db", "service.properties"));
        assertTrue(service.contains("dataEncryption=true") && service.contains("derby.encryptionBlockSize=16"),
                "the workbench's database is encrypted at rest with AES (16-byte blocks): " + service);
        assertTrue(WORKBENCH.onUi(() -> !field.getEditable()), "the location is shown, not edited, here");

        String tabs = WORKBENCH.onUi(() -> find(shell, CTabFolder.class, f -> true)
                .map(f -> String.join(",", Arrays.stream(f.getItems()).map(CTabItem::getText).toList())).orElse(""));
        assertTrue(tabs.contains("About this computer") && tabs.contains("Projects") && tabs.contains("Materials"),
                "the parts have tabs: " + tabs);
        assertTrue(tabs.indexOf("Materials") < tabs.indexOf("Sync settings"),
                "the construction plugin's tabs come before the workbench's own: " + tabs);
        assertTrue(tabs.contains("Safety inspections") && tabs.indexOf("Safety inspections") < tabs.indexOf("Sync settings"),
                "the sample plugin's own part has its tab, before the workbench's own: " + tabs);
    }

    @Test
    void theSyncStatusIsAlwaysVisible() throws Exception {
        Shell shell = mainShell();
        Label status = WORKBENCH.waitForUi(WAIT, "the sync status line",
                () -> find(shell, Label.class, l -> l.getData(SyncStatusControl.STATUS_LABEL) != null).orElse(null));
        String text = WORKBENCH.waitForUi(WAIT, "the status text", () -> status.getText().isEmpty() ? null : status.getText());
        assertTrue(text.startsWith("Not registered (working locally)") && text.contains("pending") && text.contains("last sync never"),
                text);
        assertTrue(WORKBENCH.onUi(() -> find(shell, Button.class, b -> b.getData(SyncStatusControl.SYNC_BUTTON) != null)
                .map(Button::isVisible).orElse(false)), "Sync now is offered");
    }

    @Test
    void aProjectIsCreatedInTheFormAndAppearsInTheTable() throws Exception {
        Shell shell = mainShell();
        showTab(shell, "Projects");
        Table table = WORKBENCH.waitForUi(WAIT, "the Projects table",
                () -> find(shell, Table.class, t -> "Project".equals(t.getData(EntityTablePart.TABLE))).orElse(null));
        WORKBENCH.waitForUi(WAIT, "the project form", () -> visibleField(shell, "code"));
        WORKBENCH.onUi(() -> {
            visibleField(shell, "code").setText("UI-7");
            visibleField(shell, "name").setText("Depot extension");
            visibleField(shell, "budget").setText("48000.00");
            // the start date from the calendar beside the field
            Button picker = (Button) Arrays.stream(visibleField(shell, "startDate").getParent().getChildren())
                    .filter(c -> c.getData(DateField.PICKER) != null).findFirst().orElseThrow();
            picker.notifyListeners(SWT.Selection, widgetEvent());
            return null;
        });
        DateTime calendar = WORKBENCH.waitForUi(WAIT, "the calendar", () -> Arrays
                .stream(WORKBENCH.display().getShells()).filter(Shell::isVisible)
                .flatMap(s -> all(s, DateTime.class).stream())
                .filter(d -> d.getData(DateField.CALENDAR) != null).findFirst().orElse(null));
        WORKBENCH.onUi(() -> {
            calendar.setDate(2027, 0, 15);
            calendar.notifyListeners(SWT.Selection, widgetEvent());
            calendar.notifyListeners(SWT.DefaultSelection, widgetEvent());
            return null;
        });
        assertEquals("15.01.2027", WORKBENCH.onUi(() -> visibleField(shell, "startDate").getText()),
                "the date picked, as the locale writes it");
        assertTrue(WORKBENCH.onUi(calendar::isDisposed), "a double-click on a day closes the calendar");
        click(shell, "Save");
        String row = WORKBENCH.waitForUi(WAIT, "the new project in the table", () -> Arrays.stream(table.getItems())
                .map(i -> i.getText(0) + "|" + i.getText(1) + "|" + i.getText(3)).filter(r -> r.startsWith("UI-7"))
                .findFirst().orElse(null));
        assertEquals("UI-7|Depot extension|48.000,00", row, "the amount as the locale (German, in these tests) writes it");
        assertEquals("2027-01-15", service(SyncService.class).engine().entities().list("Project").stream()
                .filter(r -> "UI-7".equals(r.data().path("code").asText())).findFirst().orElseThrow().data()
                .path("startDate").asText(), "stored as an ISO date");
        assertTrue(WORKBENCH.onUi(() -> Arrays.stream(table.getItems()).filter(i -> "UI-7".equals(i.getText(0)))
                .anyMatch(i -> IntStream.range(0, table.getColumnCount())
                        .anyMatch(c -> "15.01.2027".equals(i.getText(c))))), "the table shows the date as the locale writes it");
        assertEquals("UI-7", WORKBENCH.waitForUi(WAIT, "the saved project selected", () -> table.getSelectionCount() == 1
                ? table.getSelection()[0].getText(0) : null), "the saved record stays selected");
        assertEquals("Depot extension", WORKBENCH.onUi(() -> visibleField(shell, "name").getText()));
        assertEquals("Projects", WORKBENCH.onUi(() -> tabText(shell, "Projects")), "nothing is left unsaved");
        assertTrue(WORKBENCH.onUi(() -> {
            Button save = all(shell, Button.class).stream().filter(b -> "Save".equals(b.getText()) && b.isVisible())
                    .findFirst().orElseThrow();
            ScrolledComposite scroll = (ScrolledComposite) save.getParent()
                    .getParent().getParent();
            Point at = save.getDisplay().map(save.getParent(), scroll, save.getLocation());
            return at.y + save.getSize().y <= scroll.getClientArea().height;
        }), "the form's Save button is in view at the window's default size, without scrolling");
        screenshot(shell, "projects");
    }

    /** Creates projects through the form, as a person would, and waits for them in the table. */
    private static Table projectsWith(Shell shell, String... codes) throws InterruptedException {
        showTab(shell, "Projects");
        Table table = WORKBENCH.waitForUi(WAIT, "the Projects table",
                () -> find(shell, Table.class, t -> "Project".equals(t.getData(EntityTablePart.TABLE))).orElse(null));
        for (String code : codes) {
            click(shell, "New");
            WORKBENCH.onUi(() -> {
                visibleField(shell, "code").setText(code);
                visibleField(shell, "name").setText("Site " + code);
                return null;
            });
            click(shell, "Save");
            WORKBENCH.waitForUi(WAIT, code + " in the table",
                    () -> Arrays.stream(table.getItems()).anyMatch(i -> code.equals(i.getText(0))) ? Boolean.TRUE : null);
            WORKBENCH.waitForUi(WAIT, "the form saved", () -> tabText(shell, "Projects").equals("Projects") ? Boolean.TRUE : null);
        }
        return table;
    }

    /** The text of a part's tab: e4 puts a star before the label of a part with unsaved changes. */
    private static String tabText(Shell shell, String label) {
        for (CTabFolder folder : all(shell, CTabFolder.class)) {
            for (CTabItem item : folder.getItems()) {
                if (item.getText().equals(label) || item.getText().equals("*" + label)) {
                    return item.getText();
                }
            }
        }
        return null;
    }

    /** A dialog other than the main window, once it is open. */
    private static Shell dialog(Shell main, String what) throws InterruptedException {
        return WORKBENCH.waitForUi(WAIT, what, () -> Arrays.stream(WORKBENCH.display().getShells())
                .filter(s -> s != main && s.isVisible()).findFirst().orElse(null));
    }

    /** Does on the UI thread what opens a modal dialog, without waiting for the dialog to close. */
    private static void later(Runnable action) {
        WORKBENCH.display().asyncExec(action);
    }

    @Test
    void anEditIsNeitherLostNorSavedUnaskedWhenAnotherRecordIsChosen() throws Exception {
        Shell shell = mainShell();
        Table table = projectsWith(shell, "LE-1", "LE-2");
        selectRow(table, "LE-1");
        WORKBENCH.waitForUi(WAIT, "LE-1 in the form", () -> "LE-1".equals(visibleField(shell, "code").getText()) ? Boolean.TRUE : null);
        WORKBENCH.onUi(() -> {
            visibleField(shell, "name").setText("Renamed, not saved yet");
            return null;
        });
        assertEquals("*Projects", WORKBENCH.onUi(() -> tabText(shell, "Projects")), "the tab shows the unsaved edit");

        // choosing another record asks; Cancel stays on the edit
        later(() -> selectRow(table, "LE-2"));
        Shell ask = dialog(shell, "the question about the unsaved edit");
        assertEquals(EntityTablePart.SAVE_PROMPT, WORKBENCH.onUi(ask::getText));
        assertTrue(WORKBENCH.onUi(() -> texts(ask)).contains("Project LE-1"), WORKBENCH.onUi(() -> texts(ask)));
        click(ask, "Cancel");
        assertEquals("Renamed, not saved yet", WORKBENCH.onUi(() -> visibleField(shell, "name").getText()));
        assertEquals("LE-1", WORKBENCH.onUi(() -> table.getSelection()[0].getText(0)), "the edited record stays selected");

        // Save saves it, then shows the chosen record
        later(() -> selectRow(table, "LE-2"));
        click(dialog(shell, "the question again"), "Save");
        WORKBENCH.waitForUi(WAIT, "LE-2 in the form", () -> "LE-2".equals(visibleField(shell, "code").getText()) ? Boolean.TRUE : null);
        WORKBENCH.waitForUi(WAIT, "the saved name in the table", () -> Arrays.stream(table.getItems())
                .anyMatch(i -> "LE-1".equals(i.getText(0)) && "Renamed, not saved yet".equals(i.getText(1))) ? Boolean.TRUE : null);
        assertEquals("Projects", WORKBENCH.onUi(() -> tabText(shell, "Projects")));

        // Don't save drops it, on purpose
        WORKBENCH.onUi(() -> {
            visibleField(shell, "name").setText("Dropped on purpose");
            return null;
        });
        later(() -> selectRow(table, "LE-1"));
        click(dialog(shell, "the question a third time"), "Don't save");
        WORKBENCH.waitForUi(WAIT, "LE-1 in the form", () -> "LE-1".equals(visibleField(shell, "code").getText()) ? Boolean.TRUE : null);
        assertTrue(WORKBENCH.onUi(() -> Arrays.stream(table.getItems())
                .noneMatch(i -> "Dropped on purpose".equals(i.getText(1)))), "the dropped edit was not saved");
        assertEquals("Projects", WORKBENCH.onUi(() -> tabText(shell, "Projects")));
    }

    @Test
    void enterSavesTheFormAndASyncMeanwhileKeepsTheEdit() throws Exception {
        Shell shell = mainShell();
        Table table = projectsWith(shell, "LE-3");
        selectRow(table, "LE-3");
        WORKBENCH.waitForUi(WAIT, "LE-3 in the form", () -> "LE-3".equals(visibleField(shell, "code").getText()) ? Boolean.TRUE : null);
        WORKBENCH.onUi(() -> {
            visibleField(shell, "budget").setText("125.000,5"); // as a German estimator types it
            return null;
        });
        // a sync brings a record and reads the table again: the record stays selected and the edit stays
        var arrived = JsonNodeFactory.instance.objectNode().put("code", "LE-3B").put("name", "Arrived by sync");
        service(SyncService.class).engine().entities().put("Project", EntityIds.newUuid(), arrived);
        service(EventAdmin.class).sendEvent(new Event(SyncTopics.COMPLETED, Map.of()));
        WORKBENCH.waitForUi(WAIT, "the table read again", () -> Arrays.stream(table.getItems())
                .anyMatch(i -> "LE-3B".equals(i.getText(0))) ? Boolean.TRUE : null);
        assertEquals("LE-3", WORKBENCH.onUi(() -> table.getSelection()[0].getText(0)));
        assertEquals("125.000,5", WORKBENCH.onUi(() -> visibleField(shell, "budget").getText()));
        assertEquals("*Projects", WORKBENCH.onUi(() -> tabText(shell, "Projects")));
        WORKBENCH.onUi(() -> {
            visibleField(shell, "budget").notifyListeners(SWT.DefaultSelection, widgetEvent());
            return null;
        });
        WORKBENCH.waitForUi(WAIT, "the budget saved", () -> Arrays.stream(table.getItems())
                .anyMatch(i -> "LE-3".equals(i.getText(0)) && "125.000,50".equals(i.getText(3))) ? Boolean.TRUE : null);
        assertTrue(service(SyncService.class).engine().entities().list("Project").stream().anyMatch(r -> "LE-3".equals(
                r.data().path("code").asText()) && new BigDecimal("125000.5").compareTo(new BigDecimal(
                r.data().path("budget").asText())) == 0), "stored as a plain decimal");
        WORKBENCH.waitForUi(WAIT, "the tab clean", () -> "Projects".equals(tabText(shell, "Projects")) ? Boolean.TRUE : null);
    }

    @Test
    void closingTheWindowWithAnUnsavedEditAsksFirst() throws Exception {
        Shell shell = mainShell();
        Table table = projectsWith(shell, "LE-4");
        selectRow(table, "LE-4");
        WORKBENCH.waitForUi(WAIT, "LE-4 in the form", () -> "LE-4".equals(visibleField(shell, "code").getText()) ? Boolean.TRUE : null);
        WORKBENCH.onUi(() -> {
            visibleField(shell, "name").setText("Edited before closing");
            return null;
        });
        later(shell::close);
        Shell ask = dialog(shell, "the question before the window closes");
        String asked = WORKBENCH.onUi(() -> texts(ask));
        assertTrue(asked.contains("Projects"), asked);
        click(ask, "Cancel");
        Thread.sleep(300);
        assertTrue(WORKBENCH.onUi(() -> !shell.isDisposed() && shell.isVisible()), "the window stays open");
        assertEquals("Edited before closing", WORKBENCH.onUi(() -> visibleField(shell, "name").getText()));
        click(shell, "Revert");
        WORKBENCH.waitForUi(WAIT, "the tab clean", () -> "Projects".equals(tabText(shell, "Projects")) ? Boolean.TRUE : null);
        assertEquals("Site LE-4", WORKBENCH.onUi(() -> visibleField(shell, "name").getText()));
    }

    @Test
    void deletingAProjectSaysWhatGoesWithItAndTakesItsEstimatesAlong() throws Exception {
        SyncEngine engine = service(SyncService.class).engine();
        String project = UUID.randomUUID().toString();
        String estimate = UUID.randomUUID().toString();
        engine.entities().putAll(List.of(
                EntityWrite.put("Project", project, JsonNodeFactory.instance.objectNode().put("code", "DEL-9")
                        .put("name", "Old depot")),
                EntityWrite.put("Estimate", estimate, JsonNodeFactory.instance.objectNode().put("project", project)
                        .put("number", "E-90").put("title", "Demolition")),
                EntityWrite.put("EstimateItem", UUID.randomUUID().toString(), JsonNodeFactory.instance.objectNode()
                        .put("estimate", estimate).put("position", 1).put("description", "Skip").put("unit", "pcs")
                        .put("quantity", "1").put("unitPrice", "300.00"))));
        Shell shell = mainShell();
        Table table = projectsWith(shell);
        WORKBENCH.waitForUi(WAIT, "DEL-9 in the table", () -> Arrays.stream(table.getItems())
                .anyMatch(i -> "DEL-9".equals(i.getText(0))) ? Boolean.TRUE : null);
        selectRow(table, "DEL-9");
        click(shell, "Delete");
        String warning = WORKBENCH.waitForUi(WAIT, "what goes with the project", () -> labels(shell).stream()
                .filter(l -> l.startsWith("Deleting DEL-9")).findFirst().orElse(null));
        assertEquals("Deleting DEL-9 Old depot also deletes 1 estimate and 1 estimate item, on every computer."
                + " Press again to delete them.", warning);
        click(shell, "Really delete?");
        WORKBENCH.waitForUi(WAIT, "the project gone from the table", () -> Arrays.stream(table.getItems())
                .noneMatch(i -> "DEL-9".equals(i.getText(0))) ? Boolean.TRUE : null);
        assertTrue(engine.entities().find("Estimate", estimate).isEmpty(), "its estimate went with it");

        // restored from the deleted records: a new project with the estimate and its item
        later(() -> all(shell, Button.class).stream().filter(b -> "Deleted...".equals(b.getText()) && b.isVisible())
                .findFirst().orElseThrow().notifyListeners(SWT.Selection, widgetEvent()));
        Shell deleted = dialog(shell, "the deleted projects");
        assertEquals("Deleted project records", WORKBENCH.onUi(deleted::getText));
        Table list = WORKBENCH.waitForUi(WAIT, "DEL-9 among them", () -> all(deleted, Table.class).stream()
                .filter(t -> Arrays.stream(t.getItems()).anyMatch(i -> i.getText(0).equals("DEL-9 Old depot"))).findFirst()
                .orElse(null));
        WORKBENCH.onUi(() -> {
            for (int i = 0; i < list.getItemCount(); i++) {
                if (list.getItem(i).getText(0).equals("DEL-9 Old depot")) {
                    list.setSelection(i);
                    list.notifyListeners(SWT.Selection, widgetEvent());
                }
            }
            return null;
        });
        screenshot(deleted, "deleted-records");
        click(deleted, "Restore");
        String restored = WORKBENCH.waitForUi(WAIT, "the restored project selected", () -> table.getSelectionCount() == 1
                && "DEL-9".equals(table.getSelection()[0].getText(0)) ? table.getSelection()[0].getText(0) : null);
        assertEquals("DEL-9", restored);
        String again = engine.entities().list("Project").stream().filter(r -> "DEL-9".equals(r.data().path("code").asText()))
                .findFirst().orElseThrow().uuid();
        assertEquals(List.of("E-90 Demolition"), engine.entities().referencing("Estimate", "project", again).stream()
                .map(r -> r.data().path("number").asText() + " " + r.data().path("title").asText()).toList(),
                "the estimate deleted with it is back, under the restored project");
    }

    @Test
    void aLostEditIsToldInWordsAndTakenBackFromTheRecordsHistory() throws Exception {
        SyncEngine engine = service(SyncService.class).engine();
        Shell shell = mainShell();
        Table table = projectsWith(shell, "LOST-1");
        String uuid = engine.entities().list("Project").stream().filter(r -> "LOST-1".equals(r.data().path("code").asText()))
                .findFirst().orElseThrow().uuid();
        // the server decided against this computer's version: it is kept in the history,
        // and the office's version (another name) arrives
        String versionId = UUID.randomUUID().toString();
        engine.conflictResolver().recordConflicts(List.of(new ConflictReport(versionId, "Project", uuid, Resolution.SERVER_WINS)));
        engine.entities().put("Project", uuid, JsonNodeFactory.instance.objectNode().put("name", "Office's name"));
        showTab(shell, "About this computer");
        service(EventAdmin.class).postEvent(new Event(SyncTopics.CONFLICT, Map.of(SyncTopics.PROPERTY_CONFLICTS, 1,
                SyncTopics.PROPERTY_REPORTS, List.of(new ConflictReport(versionId, "Project", uuid, Resolution.SERVER_WINS)))));
        Shell notice = WORKBENCH.waitForUi(WAIT, "the notice", () -> Arrays.stream(WORKBENCH.display().getShells())
                .filter(s -> s.isVisible() && s.getData(ConflictNotices.NOTICE) != null)
                .findFirst().orElse(null));
        String words = WORKBENCH.onUi(() -> texts(notice));
        assertTrue(words.contains("Your change to project LOST-1 Office's name was replaced"), words);
        screenshot(shell, "conflict-notice");
        WORKBENCH.onUi(() -> {
            Link link = all(notice, Link.class).get(0);
            link.notifyListeners(SWT.Selection, widgetEvent());
            return null;
        });
        WORKBENCH.waitForUi(WAIT, "the record shown", () -> table.isVisible() && table.getSelectionCount() == 1
                && "LOST-1".equals(table.getSelection()[0].getText(0)) ? Boolean.TRUE : null);
        Table history = WORKBENCH.waitForUi(WAIT, "its history", () -> find(shell, Table.class,
                t -> t.getData(EntityTablePart.HISTORY) != null && t.isVisible() && t.getItemCount() == 1).orElse(null));
        WORKBENCH.onUi(() -> {
            history.setSelection(0);
            history.notifyListeners(SWT.Selection, widgetEvent());
            return null;
        });
        click(shell, EntityTablePart.TAKE_BACK);
        assertEquals("Site LOST-1", WORKBENCH.onUi(() -> visibleField(shell, "name").getText()), "this computer's version");
        assertEquals("*Projects", WORKBENCH.onUi(() -> tabText(shell, "Projects")));
        click(shell, "Save");
        WORKBENCH.waitForUi(WAIT, "the version taken back", () -> "Site LOST-1".equals(engine.entities().find("Project", uuid)
                .map(r -> r.data().path("name").asText()).orElse(null)) ? Boolean.TRUE : null);
    }

    /** Runs a command that opens a modal dialog, without waiting for the dialog to close. */
    private static void commandLater(Shell shell, String id) {
        later(() -> {
            var window = (MWindow) shell.getData("modelElement");
            var commands = window.getContext().get(ECommandService.class);
            window.getContext().get(EHandlerService.class)
                    .executeHandler(commands.createCommand(id, null));
        });
    }

    /** Runs a command of the window as its key binding or menu item would, in the active part. */
    private static boolean command(Shell shell, String id) {
        return WORKBENCH.onUi(() -> {
            var window = (MWindow) shell.getData("modelElement");
            var commands = window.getContext().get(ECommandService.class);
            var handlers = window.getContext().get(EHandlerService.class);
            var command = commands.createCommand(id, null);
            if (!handlers.canExecute(command)) {
                return false;
            }
            handlers.executeHandler(command);
            return true;
        });
    }

    @Test
    void tablesSortByTheHeaderClickedAmountsByValue() throws Exception {
        SyncEngine engine = service(SyncService.class).engine();
        String[][] projects = { { "SO-1", "900.00" }, { "SO-2", "50.00" }, { "SO-3", "7000.00" } };
        for (String[] p : projects) {
            engine.entities().put("Project", UUID.randomUUID().toString(), JsonNodeFactory.instance.objectNode()
                    .put("code", p[0]).put("name", "Sorted " + p[0]).put("budget", p[1]));
        }
        Shell shell = mainShell();
        showTab(shell, "Materials"); // written past the workbench: the Projects table reads them when it comes to the front
        Table table = projectsWith(shell);
        WORKBENCH.waitForUi(WAIT, "the projects to sort", () -> Arrays.stream(table.getItems())
                .filter(i -> i.getText(0).startsWith("SO-")).count() == 3 ? Boolean.TRUE : null);
        Supplier<List<String>> order = () -> WORKBENCH.onUi(() -> Arrays.stream(table.getItems())
                .map(i -> i.getText(0)).filter(c -> c.startsWith("SO-")).toList());
        TableColumn budget = WORKBENCH.onUi(() -> Arrays.stream(table.getColumns())
                .filter(c -> "Budget".equals(c.getText())).findFirst().orElseThrow());
        assertEquals(SWT.RIGHT, (int) WORKBENCH.onUi(budget::getAlignment), "amounts are right-aligned");
        WORKBENCH.onUi(() -> {
            budget.notifyListeners(SWT.Selection, widgetEvent());
            return null;
        });
        assertEquals(List.of("SO-2", "SO-1", "SO-3"), order.get(), "by value, not as text");
        assertEquals(SWT.UP, (int) WORKBENCH.onUi(table::getSortDirection));
        WORKBENCH.onUi(() -> {
            budget.notifyListeners(SWT.Selection, widgetEvent());
            return null;
        });
        assertEquals(List.of("SO-3", "SO-1", "SO-2"), order.get(), "a second click turns the order round");

        // Export... saves what is shown: filtered and sorted as here
        assertTrue(WORKBENCH.onUi(() -> all(shell, Button.class).stream()
                .anyMatch(b -> EntityTablePart.EXPORT.equals(b.getText()) && b.isVisible())), "Export... is offered");
        Text filter = WORKBENCH.onUi(() -> find(shell, Text.class, t -> t.getData(EntityTablePart.FILTER) != null
                && t.isVisible()).orElseThrow());
        WORKBENCH.onUi(() -> {
            filter.setText("Sorted");
            return null;
        });
        Path csv = Files.createTempDirectory("trestle-export").resolve("projects.csv");
        WORKBENCH.onUi(() -> {
            for (CTabItem item : all(shell, CTabFolder.class).stream().flatMap(f -> Arrays.stream(f.getItems())).toList()) {
                if (item.getData("modelElement") instanceof MPart part
                        && part.getObject() instanceof EntityTablePart projectsPart && item.getText().endsWith("Projects")) {
                    projectsPart.exportTo(csv);
                }
            }
            return null;
        });
        WORKBENCH.waitForUi(WAIT, "the file saved", () -> labels(shell).stream()
                .anyMatch(l -> l.startsWith("Saved 3 records to")) ? Boolean.TRUE : null);
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertTrue(lines.get(0).startsWith("\uFEFFCode,Name,"), lines.get(0));
        assertEquals(4, lines.size(), String.valueOf(lines));
        assertTrue(lines.get(1).startsWith("SO-3,Sorted SO-3,,\"7.000,00\""), lines.get(1));
        WORKBENCH.onUi(() -> {
            filter.setText("");
            return null;
        });
    }

    @Test
    void editsInAFormAreUndoneAndRedoneStepByStep() throws Exception {
        Shell shell = mainShell();
        Table table = projectsWith(shell, "UN-1");
        selectRow(table, "UN-1");
        WORKBENCH.waitForUi(WAIT, "UN-1 in the form", () -> "UN-1".equals(visibleField(shell, "code").getText()) ? Boolean.TRUE : null);
        assertFalse(command(shell, "org.eclipse.ui.edit.undo"), "nothing to undo in a record just shown");
        WORKBENCH.onUi(() -> {
            visibleField(shell, "name").setText("Renamed");
            visibleField(shell, "name").setText("Renamed twice"); // typing on in one field: one step
            visibleField(shell, "budget").setText("99.00");
            return null;
        });
        assertTrue(command(shell, "org.eclipse.ui.edit.undo"));
        assertEquals("", WORKBENCH.onUi(() -> visibleField(shell, "budget").getText()));
        assertEquals("Renamed twice", WORKBENCH.onUi(() -> visibleField(shell, "name").getText()));
        assertEquals("*Projects", WORKBENCH.onUi(() -> tabText(shell, "Projects")));
        assertTrue(command(shell, "org.eclipse.ui.edit.undo"));
        assertEquals("Site UN-1", WORKBENCH.onUi(() -> visibleField(shell, "name").getText()));
        assertEquals("Projects", WORKBENCH.onUi(() -> tabText(shell, "Projects")), "undone to the saved record: clean");
        assertTrue(command(shell, "org.eclipse.ui.edit.redo"));
        assertEquals("Renamed twice", WORKBENCH.onUi(() -> visibleField(shell, "name").getText()));
        assertEquals("*Projects", WORKBENCH.onUi(() -> tabText(shell, "Projects")));
        click(shell, "Revert");
        WORKBENCH.waitForUi(WAIT, "the tab clean", () -> "Projects".equals(tabText(shell, "Projects")) ? Boolean.TRUE : null);
    }

    @Test
    void ruleViolationsAreShownNextToTheirFieldsAndNothingIsSaved() throws Exception {
        Shell shell = mainShell();
        showTab(shell, "Materials");
        Table table = WORKBENCH.waitForUi(WAIT, "the Materials table",
                () -> find(shell, Table.class, t -> "Material".equals(t.getData(EntityTablePart.TABLE))).orElse(null));
        WORKBENCH.waitForUi(WAIT, "the material form", () -> visibleField(shell, "unitPrice"));
        WORKBENCH.onUi(() -> {
            visibleField(shell, "unitPrice").setText("-3");
            return null;
        });
        int before = WORKBENCH.onUi(table::getItemCount);
        click(shell, "Save");
        String messages = WORKBENCH.waitForUi(WAIT, "the rule messages", () -> {
            String all = String.join("|", labels(shell));
            return all.contains("required") && all.contains("must not be negative") ? all : null;
        });
        assertTrue(messages.contains("required"), messages);
        assertEquals(before, (int) WORKBENCH.onUi(table::getItemCount), "nothing invalid was saved");
        assertEquals("-3", WORKBENCH.onUi(() -> visibleField(shell, "unitPrice").getText()), "what the person typed stays");
        assertEquals("*Materials", WORKBENCH.onUi(() -> tabText(shell, "Materials")), "and is not saved");
        click(shell, "Revert");
        WORKBENCH.waitForUi(WAIT, "the tab clean", () -> "Materials".equals(tabText(shell, "Materials")) ? Boolean.TRUE : null);
    }

    @Test
    void registrationFailuresAreShownInTheSettingsAndSettingsApplyAtOnce() throws Exception {
        Shell shell = mainShell();
        showTab(shell, "Sync settings");
        Text server = WORKBENCH.waitForUi(WAIT, "the server field", () -> all(shell, Text.class).stream()
                .filter(t -> t.getData(SyncSettingsPart.SERVER) != null && t.isVisible()).findFirst().orElse(null));
        WORKBENCH.onUi(() -> {
            server.setText("http://127.0.0.1:9");
            all(shell, Text.class).stream().filter(t -> t.getData(SyncSettingsPart.CODE) != null).findFirst().orElseThrow()
                    .setText("LAPTOP-UI");
            return null;
        });
        click(shell, "Register");
        String result = WORKBENCH.waitForUi(WAIT, "the registration result", () -> all(shell, Label.class).stream()
                .filter(l -> l.getData(SyncSettingsPart.RESULT) != null && l.getText().startsWith("Not registered"))
                .map(Label::getText).findFirst().orElse(null));
        assertTrue(result.contains("cannot be reached"), result);

        // how often it synchronizes is a preference: the link opens Window > Preferences
        SyncService sync = service(SyncService.class);
        later(() -> all(shell, Link.class).stream().filter(l -> l.getText().contains("Preferences"))
                .findFirst().orElseThrow().notifyListeners(SWT.Selection, widgetEvent()));
        Shell preferences = dialog(shell, "the preferences");
        assertEquals(PreferencesHandler.TITLE, WORKBENCH.onUi(preferences::getText));
        Spinner interval = WORKBENCH.waitForUi(WAIT, "the interval", () -> all(preferences,
                Spinner.class).stream()
                .filter(sp -> sp.getData(SyncPreferencePage.INTERVAL) != null).findFirst()
                .orElse(null));
        WORKBENCH.onUi(() -> {
            interval.setSelection(15);
            return null;
        });
        screenshot(preferences, "preferences");
        assertEquals(Duration.ofMinutes(5), sync.interval(), "nothing applies before OK");
        WORKBENCH.onUi(() -> {
            preferences.getDefaultButton().notifyListeners(SWT.Selection, widgetEvent());
            return null;
        });
        WORKBENCH.waitForUi(WAIT, "the preferences closed", () -> preferences.isDisposed() ? Boolean.TRUE : null);
        assertEquals(Duration.ofMinutes(15), sync.interval(), "OK applies the interval");
        String details = WORKBENCH.waitForUi(WAIT, "the connection details", () -> all(shell, Label.class).stream()
                .filter(l -> l.getData(SyncSettingsPart.DEBUG) != null && l.getText().startsWith("Status:"))
                .map(Label::getText).findFirst().orElse(null));
        assertTrue(details.contains("Status: unregistered") && details.contains("Pending changes:"), details);
        screenshot(shell, "sync-settings");
    }

    @Test
    void anEstimatesItemsAreEditedInPlaceWithTheTotalKeptCurrentAndSavedTogether() throws Exception {
        SyncEngine engine = service(SyncService.class).engine();
        String project = UUID.randomUUID().toString();
        String estimate = UUID.randomUUID().toString();
        engine.entities().putAll(List.of(
                EntityWrite.put("Project", project, JsonNodeFactory.instance.objectNode().put("code", "ED-1")
                        .put("name", "Editor test")),
                EntityWrite.put("Estimate", estimate, JsonNodeFactory.instance.objectNode().put("project", project)
                        .put("number", "E-77").put("title", "Walls")),
                EntityWrite.put("EstimateItem", UUID.randomUUID().toString(), JsonNodeFactory.instance.objectNode()
                        .put("estimate", estimate).put("position", 1).put("description", "Concrete").put("unit", "m3")
                        .put("quantity", "12.500").put("unitPrice", "95.00"))));
        Shell shell = mainShell();
        showTab(shell, "Estimate editor");
        Combo chooser = WORKBENCH.waitForUi(WAIT, "the estimate chooser", () -> all(shell,
                Combo.class).stream().filter(c -> c.getData(EstimateEditorPart.CHOOSER) != null
                        && Arrays.asList(c.getItems()).stream().anyMatch(i -> i.startsWith("E-77"))).findFirst().orElse(null));
        WORKBENCH.onUi(() -> {
            for (int i = 0; i < chooser.getItemCount(); i++) {
                if (chooser.getItem(i).startsWith("E-77")) {
                    chooser.select(i);
                    chooser.notifyListeners(SWT.Selection, widgetEvent());
                }
            }
            return null;
        });
        Label total = WORKBENCH.onUi(() -> all(shell, Label.class).stream()
                .filter(l -> l.getData(EstimateEditorPart.TOTAL) != null).findFirst().orElseThrow());
        // the estimate is read in the background; its total shows once it has arrived
        WORKBENCH.waitForUi(WAIT, "the estimate's total", () -> total.getText().equals("Total: 1.187,50\u00A0€") ? Boolean.TRUE
                : null);

        click(shell, "Add item");
        type(shell, "Scaffolding");
        Table items = WORKBENCH.onUi(() -> all(shell, Table.class).stream()
                .filter(t -> t.getData(EstimateEditorPart.ITEMS) != null).findFirst().orElseThrow());
        editCell(shell, items, 1, 3, "2");
        editCell(shell, items, 1, 4, "150,00"); // a German unit price
        assertEquals("Total: 1.487,50\u00A0€", WORKBENCH.onUi(total::getText), "the total follows while typing, in the estimate's currency");
        assertEquals("300,00", WORKBENCH.onUi(() -> items.getItem(1).getText(5)));
        screenshot(shell, "estimate-editor");

        // a quantity that is no number is marked where it is, and Save names it and saves nothing
        editCell(shell, items, 1, 3, "zwei");
        RGB marked = new RGB(255, 205, 210);
        assertEquals(marked, WORKBENCH.onUi(() -> items.getItem(1).getBackground(3).getRGB()), "the invalid cell is marked");
        assertFalse(marked.equals(WORKBENCH.onUi(() -> items.getItem(1).getBackground(2).getRGB())), "a valid cell is not");
        click(shell, "Save");
        Label message = WORKBENCH.onUi(() -> all(shell, Label.class).stream()
                .filter(l -> l.getData(EstimateEditorPart.MESSAGE) != null).findFirst().orElseThrow());
        assertEquals("Not saved: Row 2, Quantity: \"zwei\" is not valid, expected a number, written as 1.234,50",
                WORKBENCH.onUi(message::getText));
        assertEquals(1L, engine.entities().list("EstimateItem").stream()
                .filter(e -> estimate.equals(e.data().path("estimate").asText())).count(), "nothing was saved");
        // the cell's editor is open again; Tab takes the value and moves on to the unit price
        Text quantity = openCellEditor(shell);
        assertEquals(WORKBENCH.onUi(() -> items.getItem(1).getBounds(3).x), WORKBENCH.onUi(() -> quantity.getBounds().x),
                "the editor is open in the cell named");
        WORKBENCH.onUi(() -> {
            quantity.setText("2");
            var tab = widgetEvent();
            tab.detail = SWT.TRAVERSE_TAB_NEXT;
            tab.doit = true;
            quantity.notifyListeners(SWT.Traverse, tab);
            return null;
        });
        WORKBENCH.waitForUi(WAIT, "the unit price's editor after Tab", () -> all(shell, Table.class).stream()
                .filter(t -> t.getData(EstimateEditorPart.ITEMS) != null).flatMap(t -> Arrays.stream(t.getChildren()))
                .anyMatch(c -> c instanceof Text && c.isVisible() && c.getBounds().x == items.getItem(1).getBounds(4).x)
                        ? Boolean.TRUE : null);
        type(shell, "150,00");
        assertFalse(marked.equals(WORKBENCH.onUi(() -> items.getItem(1).getBackground(3).getRGB())), "the mark goes with the mistake");

        click(shell, "Save");
        WORKBENCH.waitForUi(WAIT, "the saved total", () -> new BigDecimal("1487.50").equals(engine.read(em ->
                em.find(Estimate.class, estimate)).getTotal()) ? Boolean.TRUE : null);
        assertEquals(2L, engine.entities().list("EstimateItem").stream()
                .filter(e -> estimate.equals(e.data().path("estimate").asText())).count());

        // the estimate as a PDF for the client, and printed (to a file, as GTK's "Print to File" printer does)
        WORKBENCH.waitForUi(WAIT, "the saved estimate clean", () -> tabText(shell, "Estimate editor").startsWith("*") ? null : Boolean.TRUE);
        Path pdf = Files.createTempDirectory("trestle-pdf").resolve("E-77 Walls.pdf");
        EstimateEditorPart editor = editorPart(shell);
        WORKBENCH.onUi(() -> {
            editor.exportTo(pdf, null);
            return null;
        });
        assertTrue(WORKBENCH.onUi(message::getText).startsWith("Saved E-77 Walls.pdf"), WORKBENCH.onUi(message::getText));
        try (var document = Loader.loadPDF(pdf.toFile())) {
            String text = new PDFTextStripper().getText(document);
            for (String expected : List.of("Estimate E-77", "Walls", "Project: Editor test", "Concrete", "Scaffolding",
                    "1.187,50", "300,00", "Total: 1.487,50 €")) {
                assertTrue(text.contains(expected), expected + " in the PDF:\n" + text);
            }
        }
        PrinterData toFile = WORKBENCH.onUi(() -> Arrays.stream(
                Printer.getPrinterList()).filter(p -> p.name.toLowerCase(Locale.ROOT)
                        .contains("file")).findFirst().orElse(null));
        assertNotNull(toFile, "GTK's file printer is there");
        Path printed = pdf.resolveSibling("printed.pdf");
        toFile.printToFile = true;
        toFile.fileName = printed.toString();
        WORKBENCH.onUi(() -> {
            editor.exportTo(null, toFile);
            return null;
        });
        assertEquals("Sent 1 page to " + toFile.name + ".", WORKBENCH.onUi(message::getText));
        WORKBENCH.waitForUi(WAIT, "the printed file", () -> Files.exists(printed) && printed.toFile().length() > 1000
                ? Boolean.TRUE : null);

        // removing the first item numbers the others again
        WORKBENCH.waitForUi(WAIT, "the saved estimate clean", () -> tabText(shell, "Estimate editor").startsWith("*") ? null : Boolean.TRUE);
        WORKBENCH.onUi(() -> {
            items.setSelection(0);
            items.notifyListeners(SWT.Selection, widgetEvent());
            return null;
        });
        click(shell, "Remove item");
        assertEquals("1|Scaffolding", WORKBENCH.onUi(() -> items.getItem(0).getText(0) + "|" + items.getItem(0).getText(1)));
        click(shell, "Save");
        WORKBENCH.waitForUi(WAIT, "the scaffolding at position 1", () -> engine.entities().list("EstimateItem").stream()
                .filter(e -> estimate.equals(e.data().path("estimate").asText())).map(e -> e.data().path("position").asInt()
                        + " " + e.data().path("description").asText()).toList().equals(List.of("1 Scaffolding")) ? Boolean.TRUE : null);
    }

    private static EstimateEditorPart editorPart(Shell shell) {
        return WORKBENCH.onUi(() -> {
            var window = (MWindow) shell.getData("modelElement");
            var models = window.getContext().get(EModelService.class);
            return (EstimateEditorPart) ((MPart) models
                    .find("org.trestle.construction.ui.part.estimateEditor", window)).getObject();
        });
    }

    /** @return the estimate editor's open cell editor */
    private static Text openCellEditor(Shell shell) throws InterruptedException {
        return WORKBENCH.waitForUi(WAIT, "an open cell editor", () -> all(shell, Table.class).stream()
                .filter(t -> t.getData(EstimateEditorPart.ITEMS) != null)
                .flatMap(t -> Arrays.stream(t.getChildren())).filter(c -> c instanceof Text && c.isVisible())
                .map(c -> (Text) c).findFirst().orElse(null));
    }

    @Test
    void choosingAnotherEstimateAsksAboutTheOpenOnesEdit() throws Exception {
        SyncEngine engine = service(SyncService.class).engine();
        String project = UUID.randomUUID().toString();
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        engine.entities().putAll(List.of(
                EntityWrite.put("Project", project, JsonNodeFactory.instance.objectNode().put("code", "SW-1")
                        .put("name", "Quay wall")),
                EntityWrite.put("Estimate", first, JsonNodeFactory.instance.objectNode().put("project", project)
                        .put("number", "E-81").put("title", "Piles")),
                EntityWrite.put("Estimate", second, JsonNodeFactory.instance.objectNode().put("project", project)
                        .put("number", "E-82").put("title", "Capping beam")),
                EntityWrite.put("Material", UUID.randomUUID().toString(), JsonNodeFactory.instance.objectNode()
                        .put("code", "PL-1").put("name", "Rebar B500").put("unit", "kg").put("unitPrice", "1.15"))));
        Shell shell = mainShell();
        showTab(shell, "Estimate editor");
        Combo chooser = WORKBENCH.waitForUi(WAIT, "the estimates in the chooser", () -> all(shell,
                Combo.class).stream().filter(c -> c.getData(EstimateEditorPart.CHOOSER) != null
                        && Arrays.asList(c.getItems()).contains("E-82 Capping beam, Quay wall")).findFirst().orElse(null));
        chooseEstimate(chooser, "E-81");
        Text title = WORKBENCH.waitForUi(WAIT, "E-81 open", () -> all(shell, Text.class).stream()
                .filter(t -> t.isVisible() && "Piles".equals(t.getText())).findFirst().orElse(null));
        WORKBENCH.onUi(() -> {
            title.setText("Piles, driven");
            return null;
        });
        assertEquals("*Estimate editor", WORKBENCH.onUi(() -> tabText(shell, "Estimate editor")));

        later(() -> chooseEstimate(chooser, "E-82"));
        Shell ask = dialog(shell, "the question about the open estimate's edit");
        assertEquals(EstimateEditorPart.SAVE_PROMPT, WORKBENCH.onUi(ask::getText));
        click(ask, "Cancel");
        assertTrue(WORKBENCH.onUi(() -> chooser.getText().startsWith("E-81")), "the edited estimate stays chosen");
        assertEquals("Piles, driven", WORKBENCH.onUi(title::getText), "and its edit stays");

        later(() -> chooseEstimate(chooser, "E-82"));
        click(dialog(shell, "the question again"), "Save");
        WORKBENCH.waitForUi(WAIT, "E-82 open", () -> "Capping beam".equals(title.getText()) ? Boolean.TRUE : null);
        WORKBENCH.waitForUi(WAIT, "the first estimate's title saved", () -> "Piles, driven".equals(engine.entities()
                .find("Estimate", first).map(r -> r.data().path("title").asText()).orElse(null)) ? Boolean.TRUE : null);
        assertEquals("Estimate editor", WORKBENCH.onUi(() -> tabText(shell, "Estimate editor")));

        // undo and redo in the editor: the header, then an item added
        WORKBENCH.onUi(() -> {
            title.setText("Capping beam, revised");
            return null;
        });
        click(shell, "Add item");
        type(shell, "Formwork");
        Table items = WORKBENCH.onUi(() -> all(shell, Table.class).stream()
                .filter(t -> t.getData(EstimateEditorPart.ITEMS) != null).findFirst().orElseThrow());
        int rows = WORKBENCH.onUi(items::getItemCount);
        assertTrue(command(shell, "org.eclipse.ui.edit.undo"), "the description typed");
        assertTrue(command(shell, "org.eclipse.ui.edit.undo"), "the item added");
        assertEquals(rows - 1, (int) WORKBENCH.onUi(items::getItemCount));
        assertTrue(command(shell, "org.eclipse.ui.edit.undo"), "the title");
        assertEquals("Capping beam", WORKBENCH.onUi(title::getText));
        assertEquals("Estimate editor", WORKBENCH.onUi(() -> tabText(shell, "Estimate editor")), "back to the saved estimate");
        assertTrue(command(shell, "org.eclipse.ui.edit.redo"));
        assertEquals("Capping beam, revised", WORKBENCH.onUi(title::getText));
        assertTrue(command(shell, "org.eclipse.ui.edit.undo"));

        // the price list (read with the estimates) adds an item with the material's name, unit and unit price
        Combo prices = WORKBENCH.waitForUi(WAIT, "the material in the price list", () -> all(shell,
                Combo.class).stream().filter(c -> c.getData(EstimateEditorPart.PRICE_LIST) != null
                        && Arrays.asList(c.getItems()).contains("Rebar B500 (1.15 per kg)") && c.isEnabled())
                .findFirst().orElse(null));
        WORKBENCH.onUi(() -> {
            prices.select(Arrays.asList(prices.getItems()).indexOf("Rebar B500 (1.15 per kg)"));
            prices.notifyListeners(SWT.Selection, widgetEvent());
            return null;
        });
        String added = WORKBENCH.waitForUi(WAIT, "the item from the price list", () -> Arrays.stream(items.getItems())
                .filter(i -> "Rebar B500".equals(i.getText(1))).map(i -> i.getText(2) + "|" + i.getText(3) + "|"
                        + i.getText(4)).findFirst().orElse(null));
        assertEquals("kg|1|1,15", added);
        assertTrue(command(shell, "org.eclipse.ui.edit.undo"));
        assertEquals("Estimate editor", WORKBENCH.onUi(() -> tabText(shell, "Estimate editor")));
    }

    @Test
    void aProjectListsTheRecordsReferringToItAndOpensThem() throws Exception {
        SyncEngine engine = service(SyncService.class).engine();
        String project = UUID.randomUUID().toString();
        engine.entities().putAll(List.of(
                EntityWrite.put("Project", project, JsonNodeFactory.instance.objectNode().put("code", "REL-1")
                        .put("name", "Ring road")),
                EntityWrite.put("Estimate", UUID.randomUUID().toString(), JsonNodeFactory.instance.objectNode()
                        .put("project", project).put("number", "E-31").put("title", "Asphalt")),
                EntityWrite.put("Estimate", UUID.randomUUID().toString(), JsonNodeFactory.instance.objectNode()
                        .put("project", project).put("number", "E-32").put("title", "Drainage"))));
        Shell shell = mainShell();
        showTab(shell, "Estimates"); // coming back to Projects reads the table again
        showTab(shell, "Projects");
        Table projects = WORKBENCH.waitForUi(WAIT, "REL-1 in the Projects table", () -> find(shell, Table.class,
                t -> "Project".equals(t.getData(EntityTablePart.TABLE)) && Arrays.stream(t.getItems())
                        .anyMatch(i -> "REL-1".equals(i.getText(0)))).orElse(null));
        selectRow(projects, "REL-1");
        detailsTab(shell, "Related records"); // beside the form and the record's history
        Table related = WORKBENCH.waitForUi(WAIT, "the project's estimates", () -> find(shell, Table.class,
                t -> t.getData(EntityTablePart.RELATED) != null && t.isVisible() && t.getItemCount() == 2).orElse(null));
        assertEquals(List.of("Estimate|E-31 Asphalt|Project", "Estimate|E-32 Drainage|Project"), WORKBENCH.onUi(() -> Arrays
                .stream(related.getItems()).map(i -> i.getText(0) + "|" + i.getText(1) + "|" + i.getText(2)).sorted().toList()));
        screenshot(shell, "project-related");
        WORKBENCH.onUi(() -> {
            for (int i = 0; i < related.getItemCount(); i++) {
                if (related.getItem(i).getText(1).startsWith("E-32")) {
                    related.setSelection(i);
                    related.notifyListeners(SWT.DefaultSelection, widgetEvent());
                }
            }
            return null;
        });
        WORKBENCH.waitForUi(WAIT, "the estimate open in the editor", () -> all(shell, CTabFolder.class).stream()
                .anyMatch(f -> f.getSelection() != null && f.getSelection().getText().endsWith("Estimate editor"))
                && all(shell, Combo.class).stream().anyMatch(c -> c.getData(EstimateEditorPart.CHOOSER) != null
                        && c.getText().equals("E-32 Drainage, Ring road")) ? Boolean.TRUE : null);
        showTab(shell, "Projects"); // the editor is read again when it is next brought to the front
        detailsTab(shell, "Record");
    }

    /** Brings a tab below a visible table part's rows to the front: its record's form, related records or history. */
    private static void detailsTab(Shell shell, String title) {
        WORKBENCH.onUi(() -> {
            for (CTabFolder folder : all(shell, CTabFolder.class)) {
                for (CTabItem item : folder.getItems()) {
                    if (item.getText().equals(title) && folder.isVisible()) {
                        folder.setSelection(item);
                    }
                }
            }
            return null;
        });
    }

    @Test
    void aDoubleClickOnAnEstimateOpensItInTheEditor() throws Exception {
        SyncEngine engine = service(SyncService.class).engine();
        String project = UUID.randomUUID().toString();
        engine.entities().putAll(List.of(
                EntityWrite.put("Project", project, JsonNodeFactory.instance.objectNode().put("code", "DC-1")
                        .put("name", "Pier")),
                EntityWrite.put("Estimate", UUID.randomUUID().toString(), JsonNodeFactory.instance.objectNode()
                        .put("project", project).put("number", "E-95").put("title", "Pier heads"))));
        Shell shell = mainShell();
        showTab(shell, "Estimates");
        Table table = WORKBENCH.waitForUi(WAIT, "E-95 in the Estimates table", () -> find(shell, Table.class,
                t -> "Estimate".equals(t.getData(EntityTablePart.TABLE)) && Arrays.stream(t.getItems())
                        .anyMatch(i -> Arrays.asList(cells(i)).contains("E-95"))).orElse(null));
        WORKBENCH.onUi(() -> {
            for (int i = 0; i < table.getItemCount(); i++) {
                if (Arrays.asList(cells(table.getItem(i))).contains("E-95")) {
                    table.setSelection(i);
                    table.notifyListeners(SWT.Selection, widgetEvent());
                    table.notifyListeners(SWT.DefaultSelection, widgetEvent());
                }
            }
            return null;
        });
        WORKBENCH.waitForUi(WAIT, "the estimate open in the editor", () -> all(shell, CTabFolder.class).stream()
                .anyMatch(f -> f.getSelection() != null && f.getSelection().getText().endsWith("Estimate editor"))
                && all(shell, Combo.class).stream().anyMatch(c -> c.getData(EstimateEditorPart.CHOOSER) != null
                        && c.getText().equals("E-95 Pier heads, Pier")) ? Boolean.TRUE : null);
    }

    /** Chooses the estimate whose entry starts with its number, as a person would in the chooser. */
    private static void chooseEstimate(Combo chooser, String number) {
        WORKBENCH.onUi(() -> {
            for (int i = 0; i < chooser.getItemCount(); i++) {
                if (chooser.getItem(i).startsWith(number + " ")) {
                    chooser.select(i);
                    chooser.notifyListeners(SWT.Selection, widgetEvent());
                    break;
                }
            }
            return null;
        });
    }

    @Test
    void aboutThisComputerShowsTheProjectsItHolds() throws Exception {
        SyncEngine engine = service(SyncService.class).engine();
        String code = "HELD-" + UUID.randomUUID().toString().substring(0, 6);
        engine.entities().putAll(List.of(EntityWrite.put("Project", UUID.randomUUID().toString(),
                JsonNodeFactory.instance.objectNode().put("code", code).put("name", "Held here").put("status", "ACTIVE"))));
        Shell shell = mainShell();
        showTab(shell, "About this computer");
        // a synchronization may bring or evict projects: the part reads them again after one
        service(EventAdmin.class).postEvent(new Event(SyncTopics.COMPLETED, Map.of()));
        Label held = WORKBENCH.waitForUi(WAIT, "the projects held here", () -> all(shell, Label.class).stream()
                .filter(l -> l.getData(HomePart.HELD) != null
                        && l.getText().contains(code)).findFirst().orElse(null));
        String text = WORKBENCH.onUi(held::getText);
        assertTrue(text.startsWith("Project: "), text);
        screenshot(shell, "about-this-computer");
    }

    @Test
    void theWindowKeepsAnsweringWhileATableWaitsForTheDatabase() throws Exception {
        SyncEngine engine = service(SyncService.class).engine();
        Shell shell = mainShell();
        showTab(shell, "Materials");
        Table table = WORKBENCH.waitForUi(WAIT, "the Materials table",
                () -> find(shell, Table.class, t -> "Material".equals(t.getData(EntityTablePart.TABLE))).orElse(null));
        String code = "RESP-" + UUID.randomUUID().toString().substring(0, 6);

        // another transaction holds the materials table while it adds one, as a long write would
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> engine.inTx(em -> {
            em.createNativeQuery("LOCK TABLE MATERIAL IN EXCLUSIVE MODE").executeUpdate();
            Material held = new Material();
            held.setCode(code);
            held.setName("Held back by a lock");
            held.setUnit("kg");
            held.setUnitPrice(new BigDecimal("1.00"));
            em.persist(held);
            em.flush();
            locked.countDown();
            try {
                release.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }), "table-lock-holder");
        holder.start();
        try {
            assertTrue(locked.await(30, TimeUnit.SECONDS), "the table is locked");
            // the table reloads after a synchronization: its reading job now waits for the lock
            service(EventAdmin.class).postEvent(new Event(SyncTopics.COMPLETED, Map.of()));
            WORKBENCH.waitForUi(WAIT, "the Materials load waiting for the database", () -> Arrays
                    .stream(Job.getJobManager().find(null))
                    .anyMatch(j -> j.getName().equals("Loading Material")
                            && j.getState() == Job.RUNNING) ? Boolean.TRUE : null);

            // meanwhile the window answers: another tab opens, the filter takes text
            CompletableFuture<String> answered = new CompletableFuture<>();
            WORKBENCH.display().asyncExec(() -> {
                try {
                    Text filter = find(shell, Text.class, t -> t.getData(EntityTablePart.FILTER) != null && t.isVisible())
                            .orElseThrow();
                    filter.setText("RESP");
                    filter.setText("");
                    CTabFolder folder = find(shell, CTabFolder.class, f -> Arrays.stream(f.getItems())
                            .anyMatch(i -> i.getText().equals("About this computer"))).orElseThrow();
                    CTabItem about = Arrays.stream(folder.getItems()).filter(i -> i.getText().equals("About this computer"))
                            .findFirst().orElseThrow();
                    folder.setSelection(about);
                    var selected = widgetEvent();
                    selected.item = about;
                    folder.notifyListeners(SWT.Selection, selected);
                    answered.complete(folder.getSelection().getText());
                } catch (RuntimeException e) {
                    answered.completeExceptionally(e);
                }
            });
            assertEquals("About this computer", answered.get(30, TimeUnit.SECONDS),
                    "the window answered while the table's load waited for the database");
            assertTrue(WORKBENCH.onUi(() -> Arrays.stream(table.getItems()).noneMatch(i -> i.getText(0).equals(code))),
                    "the new material is not shown before its transaction commits");
        } finally {
            release.countDown();
            holder.join(60_000);
        }
        showTab(shell, "Materials");
        WORKBENCH.waitForUi(WAIT, "the new material once its transaction committed", () -> Arrays.stream(table.getItems())
                .anyMatch(i -> i.getText(0).equals(code)) ? Boolean.TRUE : null);
    }

    /** Opens the cell editor of a table cell as a click would, types the text and presses Enter. */
    private static void editCell(Shell shell, Table table, int row, int column, String text) throws InterruptedException {
        WORKBENCH.onUi(() -> {
            Rectangle cell = table.getItem(row).getBounds(column);
            var down = widgetEvent();
            down.x = cell.x + cell.width / 2;
            down.y = cell.y + cell.height / 2;
            down.button = 1;
            table.notifyListeners(SWT.MouseDown, down);
            return null;
        });
        type(shell, text);
    }

    /** Types into the open cell editor and applies it with Enter. */
    private static void type(Shell shell, String text) throws InterruptedException {
        Text editor = WORKBENCH.waitForUi(WAIT, "an open cell editor", () -> all(shell, Table.class).stream()
                .filter(t -> t.getData(EstimateEditorPart.ITEMS) != null)
                .flatMap(t -> Arrays.stream(t.getChildren())).filter(c -> c instanceof Text && c.isVisible())
                .map(c -> (Text) c).findFirst().orElse(null));
        WORKBENCH.onUi(() -> {
            editor.setText(text);
            editor.notifyListeners(SWT.DefaultSelection, widgetEvent());
            return null;
        });
    }

    private static Text visibleField(Shell shell, String attribute) {
        return all(shell, Text.class).stream().filter(t -> attribute.equals(t.getData("trestle.field")) && t.isVisible())
                .findFirst().orElse(null);
    }

    /** Presses a visible button as a click would. */
    private static void click(Shell shell, String text) throws InterruptedException {
        Button button = WORKBENCH.waitForUi(WAIT, "the button " + text, () -> all(shell, Button.class).stream()
                .filter(b -> text.equals(b.getText()) && b.isVisible() && b.isEnabled()).findFirst().orElse(null));
        WORKBENCH.onUi(() -> {
            button.notifyListeners(SWT.Selection, widgetEvent());
            return null;
        });
    }

    @Test
    void theConflictViewShowsAnyEntityTypeSideBySideAndResolvesIt() throws Exception {
        SyncService sync = service(SyncService.class);
        SyncEngine engine = sync.engine();
        String uuid = UUID.randomUUID().toString();
        engine.entities().put("Material", uuid, JsonNodeFactory.instance.objectNode().put("code", "CF-1").put("name", "Cement")
                .put("unit", "bag").put("unitPrice", "7.50"));
        // this computer's version was recorded when the server reported the conflict; the server's came after
        engine.conflictResolver().recordConflicts(List.of(new ConflictReport(UUID.randomUUID().toString(), "Material", uuid,
                Resolution.MANUAL_PENDING)));
        engine.entities().put("Material", uuid, JsonNodeFactory.instance.objectNode().put("unitPrice", "8.10"));
        service(EventAdmin.class).postEvent(new Event(SyncTopics.CONFLICT, Map.of()));

        Shell shell = mainShell();
        Table list = WORKBENCH.waitForUi(WAIT, "the conflict list", () -> find(shell, Table.class,
                t -> t.getData(ConflictsPart.LIST) != null && t.getItemCount() > 0).orElse(null));
        assertEquals("Material", WORKBENCH.onUi(() -> list.getItem(0).getText(0)));
        Table compare = WORKBENCH.waitForUi(WAIT, "the comparison", () -> find(shell, Table.class,
                t -> t.getData(ConflictsPart.COMPARE) != null && t.getItemCount() > 0).orElse(null));
        String differing = WORKBENCH.onUi(() -> Arrays.stream(compare.getItems())
                .filter(i -> !i.getText(1).equals(i.getText(2))).map(i -> i.getText(0) + "=" + i.getText(1) + "/" + i.getText(2))
                .reduce("", (a, b) -> a + b + ";"));
        assertEquals("Unit price=7,50/8,10;", differing, "only the attribute that differs is marked, amounts as the locale writes them");
        assertEquals("8,10", WORKBENCH.onUi(() -> rowOf(compare, "Unit price").getText(3)), "the result starts as the server's");

        // per attribute: this computer's unit price, and a name typed by hand
        WORKBENCH.onUi(() -> {
            compare.setSelection(rowOf(compare, "Unit price"));
            return null;
        });
        click(shell, "Take this computer's");
        assertEquals("7,50", WORKBENCH.onUi(() -> rowOf(compare, "Unit price").getText(3)));
        // an amount typed as the locale writes it
        WORKBENCH.onUi(() -> {
            compare.setSelection(rowOf(compare, "Unit price"));
            compare.notifyListeners(SWT.Selection, widgetEvent());
            find(shell, Text.class, t -> t.getData(ConflictsPart.RESULT_EDITOR) != null).orElseThrow().setText("1.007,5");
            return null;
        });
        click(shell, "Use this value");
        assertEquals("1.007,50", WORKBENCH.onUi(() -> rowOf(compare, "Unit price").getText(3)));
        click(shell, "Take this computer's");
        assertEquals("7,50", WORKBENCH.onUi(() -> rowOf(compare, "Unit price").getText(3)));
        // a name typed by hand for the selected attribute
        WORKBENCH.onUi(() -> {
            compare.setSelection(rowOf(compare, "Name"));
            compare.notifyListeners(SWT.Selection, widgetEvent());
            Text own = find(shell, Text.class, t -> t.getData(ConflictsPart.RESULT_EDITOR) != null).orElseThrow();
            assertEquals("Cement", own.getText(), "the field starts from the result's value");
            own.setText("Cement CEM II");
            return null;
        });
        click(shell, "Use this value");
        String afterTyping = WORKBENCH.onUi(() -> Arrays.stream(compare.getItems())
                .map(i -> i.getText(0) + "=" + i.getText(3)).reduce("", (a, b) -> a + b + ";") + " " + texts(shell));
        assertEquals("Cement CEM II", WORKBENCH.onUi(() -> rowOf(compare, "Name").getText(3)), afterTyping);
        screenshot(shell, "conflicts");
        click(shell, "Resolve");
        WORKBENCH.waitForUi(WAIT, "the conflict to be resolved", () -> sync.openConflicts().isEmpty() ? Boolean.TRUE : null);
        Material kept = engine.read(em -> em.find(Material.class, uuid));
        assertEquals(new BigDecimal("7.50"), kept.getUnitPrice());
        assertEquals("Cement CEM II", kept.getName());

        // the record's history lists the stored version and how it ended
        showTab(shell, "Materials");
        Table materials = WORKBENCH.waitForUi(WAIT, "the material in the table", () -> find(shell, Table.class,
                t -> "Material".equals(t.getData(EntityTablePart.TABLE)) && Arrays.stream(t.getItems())
                        .anyMatch(i -> "CF-1".equals(i.getText(0)))).orElse(null));
        detailsTab(shell, "History");
        String history = WORKBENCH.waitForUi(WAIT, "the history of CF-1", () -> {
            if (materials.getSelectionCount() == 0) {
                // select CF-1 as a click would (again, if a reload of the table came first)
                for (int i = 0; i < materials.getItemCount(); i++) {
                    if ("CF-1".equals(materials.getItem(i).getText(0))) {
                        materials.setSelection(i);
                        materials.notifyListeners(SWT.Selection, widgetEvent());
                    }
                }
            }
            return all(shell, Table.class).stream()
                    .filter(t -> t.getData(EntityTablePart.HISTORY) != null && t.isVisible() && t.getItemCount() > 0)
                    .map(t -> t.getItem(0).getText(2) + " " + t.getItem(0).getText(3)).findFirst().orElse(null);
        });
        assertTrue(history.startsWith("Decided by a person") && history.contains("Unit price: 7,50"), history);
        detailsTab(shell, "Record");
    }

    /** Selects the first row whose first column reads {@code text}, as a click would. */
    private static void selectRow(Table table, String text) {
        WORKBENCH.onUi(() -> {
            for (int i = 0; i < table.getItemCount(); i++) {
                if (text.equals(table.getItem(i).getText(0))) {
                    table.setSelection(i);
                    table.notifyListeners(SWT.Selection, widgetEvent());
                    break;
                }
            }
            return null;
        });
    }

    private static TableItem rowOf(Table table, String attribute) {
        return Arrays.stream(table.getItems()).filter(i -> attribute.equals(i.getText(0))).findFirst().orElseThrow();
    }

    /** The sample plugin of the plugin authors' guide: a type no workbench code names. */
    @Test
    void theSamplePluginsSafetyInspectionAppearsInTheConflictViewAndIsResolved() throws Exception {
        SyncService sync = service(SyncService.class);
        SyncEngine engine = sync.engine();
        String project = UUID.randomUUID().toString();
        String inspection = UUID.randomUUID().toString();
        engine.entities().put("Project", project, JsonNodeFactory.instance.objectNode().put("code", "SAFE-1")
                .put("name", "Safety sample"));
        engine.entities().put("SafetyInspection", inspection, JsonNodeFactory.instance.objectNode().put("project", project)
                .put("inspector", "R. Okafor").put("passed", true).put("findings", "Guard rails complete"));
        engine.conflictResolver().recordConflicts(List.of(new ConflictReport(UUID.randomUUID().toString(), "SafetyInspection", inspection,
                Resolution.MANUAL_PENDING)));
        engine.entities().put("SafetyInspection", inspection, JsonNodeFactory.instance.objectNode().put("passed", false)
                .put("findings", "Guard rail missing on level 3"));
        service(EventAdmin.class).postEvent(new Event(SyncTopics.CONFLICT, Map.of()));

        Shell shell = mainShell();
        Table list = WORKBENCH.waitForUi(WAIT, "the inspection in the conflict list", () -> find(shell, Table.class,
                t -> t.getData(ConflictsPart.LIST) != null && Arrays.stream(t.getItems())
                        .anyMatch(i -> "Safety inspection".equals(i.getText(0)))).orElse(null));
        selectRow(list, "Safety inspection");
        Table compare = WORKBENCH.waitForUi(WAIT, "the inspection's comparison", () -> find(shell, Table.class,
                t -> t.getData(ConflictsPart.COMPARE) != null && Arrays.stream(t.getItems())
                        .anyMatch(i -> "Findings".equals(i.getText(0)))).orElse(null));
        assertEquals("Guard rails complete|Guard rail missing on level 3", WORKBENCH.onUi(() ->
                rowOf(compare, "Findings").getText(1) + "|" + rowOf(compare, "Findings").getText(2)));
        click(shell, "Take the server's");
        click(shell, "Resolve");
        WORKBENCH.waitForUi(WAIT, "the inspection's conflict resolved", () -> sync.openConflicts().stream()
                .noneMatch(c -> c.entityUuid().equals(inspection)) ? Boolean.TRUE : null);
    }

    private static <T> T service(Class<T> type) throws InterruptedException {
        var context = FrameworkUtil.getBundle(WorkbenchWindowTest.class).getBundleContext();
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        T service = tracker.waitForService(30_000);
        assertNotNull(service, type.getName());
        return service;
    }

    private static List<String> labels(Composite root) {
        List<String> texts = new ArrayList<>();
        for (Control c : root.getChildren()) {
            if (c instanceof Label l) {
                texts.add(l.getText());
            } else if (c instanceof Composite k) {
                texts.addAll(labels(k));
            }
        }
        return texts;
    }

    /** What a dialog shows, for failure messages. */
    static String texts(Shell dialog) {
        return dialog.isDisposed() ? "(closed)" : String.join("|", labels(dialog));
    }

    private static void showTab(Shell shell, String label) throws InterruptedException {
        WORKBENCH.waitForUi(WAIT, "the tab " + label, () -> {
            for (CTabFolder folder : all(shell, CTabFolder.class)) {
                for (CTabItem item : folder.getItems()) {
                    if (label.equals(item.getText()) || ("*" + label).equals(item.getText())) {
                        folder.setSelection(item);
                        var e = widgetEvent();
                        e.item = item;
                        folder.notifyListeners(SWT.Selection, e);
                        return Boolean.TRUE;
                    }
                }
            }
            return null;
        });
    }

    @Test
    void helpCheckForUpdatesOpensTheUpdatesPartAndExplainsWhatItFinds() throws Exception {
        Shell shell = mainShell();
        MenuItem checkItem = WORKBENCH.waitForUi(WAIT, "Help > Check for Updates", () -> {
            Menu bar = shell.getMenuBar();
            if (bar == null) {
                return null;
            }
            for (MenuItem top : bar.getItems()) {
                if (top.getText().replace("&", "").equals("Help") && top.getMenu() != null) {
                    // the renderer fills a menu when it is shown
                    top.getMenu().notifyListeners(SWT.Show, widgetEvent());
                    for (MenuItem item : top.getMenu().getItems()) {
                        if (item.getText().replace("&", "").startsWith("Check for Updates")) {
                            return item;
                        }
                    }
                }
            }
            return null;
        });
        WORKBENCH.onUi(() -> {
            checkItem.notifyListeners(SWT.Selection, widgetEvent());
            return null;
        });
        // Not registered with a server, so there is no default site yet.
        String asked = WORKBENCH.waitForUi(WAIT, "the updates message", () -> all(shell, Label.class).stream()
                .filter(l -> l.getData(UpdatesPart.MESSAGE) != null && l.isVisible() && !l.getText().isEmpty())
                .map(Label::getText).findFirst().orElse(null));
        assertTrue(asked.startsWith("Enter the update site"), asked);

        Text site = WORKBENCH.onUi(() -> all(shell, Text.class).stream().filter(t -> t.getData(UpdatesPart.SITE) != null)
                .findFirst().orElseThrow());
        Path repository = Path.of(System.getProperty("trestle.root", "../.."), "releng/org.trestle.repository/target/repository");
        WORKBENCH.onUi(() -> {
            site.setText(repository.toString());
            return null;
        });
        click(shell, "Check for updates");
        // This test runtime was not installed by p2, and says so instead of pretending.
        String answer = WORKBENCH.waitForUi(WAIT, "the check's answer", () -> all(shell, Label.class).stream()
                .filter(l -> l.getData(UpdatesPart.MESSAGE) != null && !l.getText().startsWith("Checking")
                        && !l.getText().startsWith("Enter"))
                .map(Label::getText).findFirst().orElse(null));
        assertTrue(answer.contains("not installed by p2"), answer);
        assertTrue(WORKBENCH.onUi(() -> all(shell, Button.class).stream()
                .filter(b -> b.getData(UpdatesPart.INSTALL) != null).noneMatch(Button::isEnabled)),
                "nothing to install");
        screenshot(shell, "updates");
    }

    /**
     * Against a real server process: this workbench registers through its settings part,
     * another laptop (speaking the protocol over HTTP) edits an estimate, this workbench
     * edits it too and synchronizes with its Sync now button; the conflict appears in the
     * view, is resolved there, and the resolution reaches the server and the other laptop.
     * Runs last: it registers the workbench.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void aConflictFromARealServerIsResolvedInTheViewAndTheResolutionReachesTheServer() throws Exception {
        Path root = Path.of(System.getProperty("trestle.root", "../.."));
        Path serverData = Files.createTempDirectory("trestle-ui-server");
        Path serverLog = serverData.resolve("out.log");
        Process server = new ProcessBuilder("bash", root.resolve("bin/trestle-server").toString(), "--http", "--port", "0",
                "--host", "127.0.0.1", "--data-dir", serverData.resolve("data").toString(), "--enrollment-key", "ui-key",
                "--admin-token", "ui-admin").redirectErrorStream(true).redirectOutput(serverLog.toFile()).start();
        try {
            String url = null;
            for (int i = 0; i < 1200 && url == null; i++) {
                Thread.sleep(100);
                url = Files.readAllLines(serverLog).stream().filter(l -> l.startsWith("Trestle server listening on "))
                        .map(l -> l.substring("Trestle server listening on ".length()).trim()).findFirst().orElse(null);
                assertTrue(server.isAlive() || url != null, () -> "the server stopped: " + read(serverLog));
            }
            assertNotNull(url, () -> "the server did not start: " + read(serverLog));
            String base = url;

            // register this workbench through the Sync settings part
            Shell shell = mainShell();
            showTab(shell, "Sync settings");
            WORKBENCH.onUi(() -> {
                field(shell, SyncSettingsPart.SERVER).setText(base);
                field(shell, SyncSettingsPart.CODE).setText("UI-LAPTOP");
                field(shell, SyncSettingsPart.KEY).setText("ui-key");
                return null;
            });
            click(shell, "Register");
            SyncService sync = service(SyncService.class);
            WORKBENCH.waitForUi(WAIT, "the registration", () -> sync.state().nodeId() != null
                    && sync.state().serverUrl() != null ? Boolean.TRUE : null);

            // an estimate made here reaches the server
            SyncEngine engine = sync.engine();
            String project = UUID.randomUUID().toString();
            String estimate = UUID.randomUUID().toString();
            engine.entities().put("Project", project, JsonNodeFactory.instance.objectNode().put("code", "SRV-1")
                    .put("name", "Server conflict").put("status", "ACTIVE"));
            engine.entities().put("Estimate", estimate, JsonNodeFactory.instance.objectNode().put("project", project)
                    .put("number", "E-SRV-1").put("title", "Groundworks").put("currency", "EUR"));
            sync.syncNow();

            // the other laptop receives it, then changes the title
            RawNode other = new RawNode(base);
            other.register("OTHER-LAPTOP", "ui-key");
            JsonNode first = other.exchange(JsonNodeFactory.instance.arrayNode());
            assertTrue(first.toString().contains(estimate), "the other laptop received the estimate");
            ArrayNode edit = JsonNodeFactory.instance.arrayNode();
            ObjectNode change = edit.addObject().put("seq", 1).put("entity_type", "Estimate")
                    .put("entity_uuid", estimate).put("operation", "UPDATE").put("updated_at", Instant.now().toString())
                    .put("base", other.lastReceived);
            // data is the entity's full state (PROTOCOL.md): what it received, with its new title
            ObjectNode state = null;
            for (JsonNode c : first.path("changes")) {
                if (estimate.equals(c.path("entity_uuid").asText())) {
                    state = ((ObjectNode) c.path("data")).deepCopy();
                }
            }
            assertNotNull(state, first.toString());
            change.set("data", state.put("title", "Groundworks (office)"));
            change.putArray("changed").add("title");
            other.exchange(edit);

            // this laptop edits the same title without having seen that, and presses Sync now
            engine.entities().put("Estimate", estimate, JsonNodeFactory.instance.objectNode().put("title", "Groundworks (site)"));
            WORKBENCH.onUi(() -> {
                all(shell, Button.class).stream().filter(b -> b.getData(SyncStatusControl.SYNC_BUTTON) != null).findFirst()
                        .orElseThrow().notifyListeners(SWT.Selection, widgetEvent());
                return null;
            });
            Table list = WORKBENCH.waitForUi(WAIT, "the estimate's conflict in the view", () -> find(shell, Table.class,
                    t -> t.getData(ConflictsPart.LIST) != null && Arrays.stream(t.getItems())
                            .anyMatch(i -> "Estimate".equals(i.getText(0)))).orElse(null));
            selectRow(list, "Estimate");
            assertEquals("this computer", WORKBENCH.onUi(() -> Arrays.stream(list.getItems())
                    .filter(i -> "Estimate".equals(i.getText(0))).findFirst().orElseThrow().getText(3)),
                    "the losing version's node, by name");
            // the background exchange after the local edit and the button's may both run: once
            // the server's version has arrived, the comparison shows it beside this computer's
            Table compare = WORKBENCH.waitForUi(WAIT, "the comparison with the server's version", () -> find(shell,
                    Table.class, t -> t.getData(ConflictsPart.COMPARE) != null && Arrays.stream(t.getItems())
                            .anyMatch(i -> "Title".equals(i.getText(0)) && "Groundworks (office)".equals(i.getText(2))))
                    .orElse(null));
            assertEquals("Groundworks (site)|Groundworks (office)", WORKBENCH.onUi(() -> rowOf(compare, "Title").getText(1)
                    + "|" + rowOf(compare, "Title").getText(2)), "this computer's title beside the server's");
            assertEquals("SRV-1 Server conflict", WORKBENCH.onUi(() -> rowOf(compare, "Project").getText(1)),
                    "a reference by the title of the record it points at, not its uuid");
            screenshot(shell, "conflict-from-server");
            WORKBENCH.onUi(() -> {
                compare.setSelection(rowOf(compare, "Title"));
                return null;
            });
            click(shell, "Take this computer's");
            click(shell, "Resolve");
            WORKBENCH.waitForUi(WAIT, "no open conflict", () -> sync.openConflicts().isEmpty() ? Boolean.TRUE : null);
            sync.syncNow();

            // the server holds the resolution: no conflict is open there, and the other laptop receives it
            HttpResponse<String> conflicts = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(base + "/api/admin/conflicts?entity_uuid=" + estimate))
                            .header("Authorization", "Bearer ui-admin").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(0, RawNode.JSON.readTree(conflicts.body()).path("conflicts").size(), conflicts.body());
            JsonNode after = other.exchange(JsonNodeFactory.instance.arrayNode());
            assertTrue(after.toString().contains("Groundworks (site)"), () -> "the resolution reached the other laptop: " + after);
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static Text field(Shell shell, String key) {
        return all(shell, Text.class).stream().filter(t -> t.getData(key) != null).findFirst().orElseThrow();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Another laptop, speaking the protocol with plain HTTP and JSON. */
    private static final class RawNode {
        static final ObjectMapper JSON = new ObjectMapper();
        final String base;
        final HttpClient http = HttpClient.newHttpClient();
        String nodeId;
        String serverId;
        String token;
        long packetNo;
        long lastReceived;

        RawNode(String base) {
            this.base = base;
        }

        void register(String code, String key) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create(base + "/api/sync/register")).header("Content-Type", "application/json")
                    .header("X-Enrollment-Key", key)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"code\": \"" + code + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(2, r.statusCode() / 100, r.body());
            JsonNode a = JSON.readTree(r.body());
            nodeId = a.path("node_id").asText();
            serverId = a.path("server_node_id").asText();
            token = a.path("auth_token").asText();
        }

        /** @return the server's packet */
        JsonNode exchange(ArrayNode changes) throws Exception {
            ObjectNode p = JSON.createObjectNode();
            p.put("protocol", 1).put("schema_version", "1.0.0").put("sender", nodeId).put("target", serverId)
                    .put("packet_no", ++packetNo).put("ack", lastReceived).put("created_at", Instant.now().toString())
                    .put("has_more", false);
            p.set("changes", changes);
            ObjectNode body = JSON.createObjectNode();
            body.set("packet_data", p);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create(base + "/api/sync/exchange")).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode answer = JSON.readTree(r.body());
            assertEquals(0, answer.path("error_count").asInt(), r.body());
            lastReceived = answer.path("packet_data").path("packet_no").asLong();
            return answer.path("packet_data");
        }
    }

    /** Saves what the window shows as target/screenshots/NAME.png, for people to look at. */
    static void screenshot(Shell shell, String name) throws Exception {
        Path dir = Path.of(System.getProperty("trestle.screenshots", "target/screenshots"));
        Files.createDirectories(dir);
        WORKBENCH.onUi(() -> {
            shell.layout(true, true);
            shell.redraw(0, 0, shell.getSize().x, shell.getSize().y, true);
            return null;
        });
        // GTK paints from its event loop: let it draw what the test just changed
        Thread.sleep(700);
        WORKBENCH.onUi(() -> {
            shell.update();
            Rectangle bounds = shell.getBounds();
            GC gc = new GC(shell.getDisplay());
            Image image = new Image(shell.getDisplay(), bounds.width,
                    bounds.height);
            try {
                gc.copyArea(image, bounds.x, bounds.y);
                ImageLoader loader = new ImageLoader();
                loader.data = new ImageData[] { image.getImageData() };
                loader.save(dir.resolve(name + ".png").toString(), SWT.IMAGE_PNG);
            } finally {
                gc.dispose();
                image.dispose();
            }
            return null;
        });
    }

    private static <T extends Control> List<T> all(Control root, Class<T> type) {
        List<T> found = new ArrayList<>();
        if (type.isInstance(root)) {
            found.add(type.cast(root));
        }
        if (root instanceof Composite composite) {
            for (Control child : composite.getChildren()) {
                found.addAll(all(child, type));
            }
        }
        return found;
    }

    private static Shell mainShell() throws InterruptedException {
        return WORKBENCH.waitForUi(WAIT, "a visible shell titled Trestle",
                () -> Arrays.stream(WORKBENCH.display().getShells())
                        .filter(s -> s.isVisible() && "Trestle".equals(s.getText())).findFirst().orElse(null));
    }

    private static <T extends Control> Optional<T> find(Control root, Class<T> type, Predicate<T> test) {
        if (type.isInstance(root) && test.test(type.cast(root))) {
            return Optional.of(type.cast(root));
        }
        if (root instanceof Composite composite) {
            for (Control child : composite.getChildren()) {
                Optional<T> found = find(child, type, test);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }
}
