package org.trestle.app.tests;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.eclipse.core.runtime.IProduct;
import org.eclipse.core.runtime.Platform;
import org.eclipse.e4.ui.internal.workbench.swt.E4Application;
import org.eclipse.equinox.app.IApplication;
import org.eclipse.equinox.app.IApplicationContext;
import org.eclipse.swt.widgets.Display;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.osgi.framework.Bundle;

/**
 * Starts the real Trestle e4 application, as the product does, on a thread that becomes
 * the UI thread, and closes it after the tests. Tests reach widgets through
 * {@link #onUi(Supplier)} and wait for conditions with {@link #waitFor}.
 */
public final class RunningWorkbench implements BeforeAllCallback, AfterAllCallback {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final E4Application application = new E4Application();
    private final CompletableFuture<Object> exit = new CompletableFuture<>();
    private Thread uiThread;
    private Display display;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (System.getenv("DISPLAY") == null && System.getenv("WAYLAND_DISPLAY") == null) {
            fail("The workbench tests need a display; run them through bin/test, which starts Xvfb");
        }
        IProduct product = Platform.getProduct();
        assertNotNull(product, "the test runtime was started without the Trestle product");
        uiThread = new Thread(() -> {
            try {
                exit.complete(application.start(new ProductContext(product)));
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        }, "trestle-ui");
        uiThread.setDaemon(true);
        uiThread.start();
        display = waitFor(START_TIMEOUT, "the application to create its display", () -> Display.findDisplay(uiThread));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (display != null && !display.isDisposed()) {
            display.syncExec(application::stop);
        }
        Object code = exit.get(60, TimeUnit.SECONDS);
        if (!IApplication.EXIT_OK.equals(code)) {
            fail("the application ended with " + code);
        }
    }

    public Display display() {
        return display;
    }

    /** How long one piece of UI work may take: longer means the UI thread is held (a modal dialog nobody answers). */
    private static final Duration UI_TIMEOUT = Duration.ofSeconds(120);

    /**
     * Runs on the UI thread and returns the result; fails, naming the windows open, when
     * the UI thread does not run it in time (a modal dialog a test did not expect holds it).
     */
    public <T> T onUi(Supplier<T> work) {
        if (Thread.currentThread() == uiThread) {
            return work.get();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        // The workbench's event loop logs what a runnable throws; hand it to the test instead.
        display.asyncExec(() -> {
            try {
                result.complete(work.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(UI_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            fail("the UI thread did not answer within " + UI_TIMEOUT.toSeconds() + " s (a modal dialog left open?)");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable t = e.getCause();
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error r) {
                throw r;
            }
            throw new IllegalStateException(t);
        }
    }

    /** Waits until the UI-thread query returns non-null, or fails after the timeout. */
    public <T> T waitForUi(Duration timeout, String what, Supplier<T> query) throws InterruptedException {
        // A query that throws (a widget not there yet) is asked again; the last failure is
        // reported if the wait times out.
        AtomicReference<RuntimeException> last = new AtomicReference<>();
        try {
            return waitFor(timeout, what, () -> {
                try {
                    return onUi(query);
                } catch (RuntimeException e) {
                    last.set(e);
                    return null;
                }
            });
        } catch (AssertionError e) {
            if (last.get() != null) {
                e.addSuppressed(last.get());
            }
            throw e;
        }
    }

    private <T> T waitFor(Duration timeout, String what, Supplier<T> query) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (exit.isDone()) {
                fail("the application ended while waiting for " + what + ": " + exit.handle((v, t) -> t != null ? t : v).join());
            }
            T value = query.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(50);
        }
        String shells = "";
        if (display != null && !display.isDisposed()) {
            shells = onUi(() -> java.util.Arrays.stream(display.getShells()).filter(s -> s.isVisible())
                    .map(s -> s.getText() + ": " + WorkbenchWindowTest.texts(s)).reduce("", (a, b) -> a + " [" + b + "]"));
        }
        fail("timed out after " + timeout.toSeconds() + " s waiting for " + what + "; visible: " + shells);
        return null;
    }

    /** The launch context of the product, as the Equinox launcher would give it. */
    private static final class ProductContext implements IApplicationContext {
        private final IProduct product;

        ProductContext(IProduct product) {
            this.product = product;
        }

        @Override
        public Map<String, Object> getArguments() {
            return Map.of(APPLICATION_ARGS, new String[] { "-persistState", "false" });
        }

        @Override
        public void applicationRunning() {
            // no splash screen to take down
        }

        @Override
        public String getBrandingApplication() {
            return product.getApplication();
        }

        @Override
        public String getBrandingName() {
            return product.getName();
        }

        @Override
        public String getBrandingDescription() {
            return product.getDescription();
        }

        @Override
        public String getBrandingId() {
            return product.getId();
        }

        @Override
        public String getBrandingProperty(String key) {
            return product.getProperty(key);
        }

        @Override
        public Bundle getBrandingBundle() {
            return product.getDefiningBundle();
        }

        @Override
        public void setResult(Object result, org.eclipse.equinox.app.IApplication application) {
            // not an asynchronous application
        }
    }
}
