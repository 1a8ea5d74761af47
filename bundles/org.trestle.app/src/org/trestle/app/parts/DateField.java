package org.trestle.app.parts;

import java.time.LocalDate;

import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.layout.GridLayoutFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.DateTime;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;

/**
 * A date typed as the user's locale writes it, or picked from a calendar that the button
 * beside the text opens below it. The calendar closes when a day is double-clicked, on
 * Escape or when the person clicks elsewhere; it can also set today or clear an optional
 * date.
 *
 * @since 0.1
 */
public final class DateField {

    /** Widget data key of the button that opens the calendar, for tests. */
    public static final String PICKER = "trestle.date.picker";
    /** Widget data key of the calendar, for tests. */
    public static final String CALENDAR = "trestle.date.calendar";

    private final Composite area;
    private final Text text;
    private Shell popup;

    public DateField(Composite parent, int textStyle) {
        area = new Composite(parent, SWT.NONE);
        GridLayoutFactory.fillDefaults().numColumns(2).spacing(2, 0).applyTo(area);
        text = new Text(area, textStyle);
        text.setMessage(Dates.shown(LocalDate.of(2026, 12, 31)));
        GridDataFactory.fillDefaults().grab(true, false).applyTo(text);
        Button pick = new Button(area, SWT.PUSH);
        pick.setText("\u25BE");
        pick.setToolTipText("Choose the date from a calendar");
        pick.setData(PICKER, Boolean.TRUE);
        pick.addListener(SWT.Selection, e -> open());
    }

    /** @return the text the date is typed in */
    public Text text() {
        return text;
    }

    /** @return the field with its button, for layout */
    public Composite control() {
        return area;
    }

    private void open() {
        if (popup != null && !popup.isDisposed()) {
            popup.close();
            return;
        }
        popup = new Shell(area.getShell(), SWT.ON_TOP | SWT.TOOL);
        GridLayoutFactory.swtDefaults().numColumns(2).applyTo(popup);
        DateTime calendar = new DateTime(popup, SWT.CALENDAR);
        calendar.setData(CALENDAR, Boolean.TRUE);
        GridDataFactory.fillDefaults().span(2, 1).applyTo(calendar);
        LocalDate shown = Dates.parseOrNull(text.getText());
        if (shown != null) {
            calendar.setDate(shown.getYear(), shown.getMonthValue() - 1, shown.getDayOfMonth());
        }
        Shell opened = popup;
        calendar.addListener(SWT.Selection, e -> set(LocalDate.of(calendar.getYear(), calendar.getMonth() + 1,
                calendar.getDay())));
        calendar.addListener(SWT.DefaultSelection, e -> opened.close());
        Button today = new Button(popup, SWT.PUSH);
        today.setText("Today");
        today.addListener(SWT.Selection, e -> {
            set(LocalDate.now());
            opened.close();
        });
        Button clear = new Button(popup, SWT.PUSH);
        clear.setText("Clear");
        clear.addListener(SWT.Selection, e -> {
            text.setText("");
            opened.close();
        });
        popup.addListener(SWT.Traverse, e -> {
            if (e.detail == SWT.TRAVERSE_ESCAPE) {
                opened.close();
            }
        });
        popup.addListener(SWT.Deactivate, e -> area.getDisplay().asyncExec(() -> {
            if (!opened.isDisposed()) {
                opened.close();
            }
        }));
        popup.pack();
        Point below = text.toDisplay(0, text.getSize().y);
        popup.setLocation(below);
        popup.open();
        calendar.setFocus();
    }

    /** Writes a date into the text as the locale writes it (a modification, as typing is). */
    private void set(LocalDate date) {
        text.setText(Dates.shown(date));
    }
}
