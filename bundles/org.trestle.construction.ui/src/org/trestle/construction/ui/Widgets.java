package org.trestle.construction.ui;

import java.util.function.Consumer;
import java.util.function.Supplier;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.ui.di.UISynchronize;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;

/** Small helpers of the construction plugin's parts. */
final class Widgets {

    private Widgets() {
    }

    static Button button(Composite parent, String text, Runnable action) {
        Button b = new Button(parent, SWT.PUSH);
        b.setText(text);
        b.addListener(SWT.Selection, e -> action.run());
        return b;
    }

    /** Runs database work in a job and hands its result to the UI thread, unless {@code alive} is gone by then. */
    static <T> void inBackground(UISynchronize ui, Control alive, String name, Supplier<T> work, Consumer<T> then) {
        Job.create(name, (IProgressMonitor monitor) -> {
            T result = work.get();
            ui.asyncExec(() -> {
                if (!alive.isDisposed()) {
                    then.accept(result);
                }
            });
            return Status.OK_STATUS;
        }).schedule();
    }

    /** Keeps the UI answering while {@code busy} holds (and {@code alive} is there), for a caller that must wait. */
    static void pumpWhile(Control alive, java.util.function.BooleanSupplier busy) {
        org.eclipse.swt.widgets.Display display = alive.getDisplay();
        while (busy.getAsBoolean() && !alive.isDisposed()) {
            if (!display.readAndDispatch()) {
                display.sleep();
            }
        }
    }
}
