package org.trestle.app.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

import org.eclipse.swt.custom.CTabFolder;
import org.eclipse.swt.custom.CTabItem;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.trestle.app.internal.parts.HomePart;

/** The real workbench window, as a person sees it. */
class WorkbenchWindowTest {

    @RegisterExtension
    static final RunningWorkbench WORKBENCH = new RunningWorkbench();

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void theMainWindowIsTitledTrestleAndVisible() throws Exception {
        Shell shell = mainShell();
        assertEquals("Trestle", WORKBENCH.onUi(shell::getText));
        assertTrue(WORKBENCH.onUi(shell::isVisible));
        assertTrue(WORKBENCH.onUi(() -> shell.getSize().x >= 800 && shell.getSize().y >= 500),
                "the window opens at a usable size, not collapsed");
    }

    @Test
    void theHomePartShowsWhereLocalDataLives() throws Exception {
        Shell shell = mainShell();
        Text field = WORKBENCH.waitForUi(WAIT, "the data-directory field of the Home part",
                () -> find(shell, Text.class, t -> t.getData(HomePart.DATA_DIRECTORY_FIELD) != null).orElse(null));
        String expected = Path.of(System.getProperty("trestle.data.dir")).toAbsolutePath().normalize().toString();
        assertEquals(expected, WORKBENCH.onUi(field::getText));
        assertTrue(WORKBENCH.onUi(() -> !field.getEditable()), "the location is shown, not edited, here");

        String tabs = WORKBENCH.onUi(() -> find(shell, CTabFolder.class, f -> true)
                .map(f -> String.join(",", Arrays.stream(f.getItems()).map(CTabItem::getText).toList())).orElse(""));
        assertTrue(tabs.contains("Home"), "the Home part has a tab: " + tabs);
    }

    private static Shell mainShell() throws InterruptedException {
        return WORKBENCH.waitForUi(WAIT, "a visible shell titled Trestle",
                () -> Arrays.stream(WORKBENCH.display().getShells())
                        .filter(s -> s.isVisible() && "Trestle".equals(s.getText())).findFirst().orElse(null));
    }

    private static <T extends Control> Optional<T> find(Control root, Class<T> type, java.util.function.Predicate<T> test) {
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
