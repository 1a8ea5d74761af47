package org.trestle.app.parts;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableItem;

/**
 * Saves what a table shows (its columns, its rows as filtered and sorted, references by
 * their titles) as a CSV file a spreadsheet opens: RFC 4180 quoting, UTF-8 with a byte
 * order mark, lines ended by CR LF. A cell that a spreadsheet would take for a formula
 * is written as text. The file is written beside its place and moved there when complete,
 * so a failed export leaves no half file.
 */
final class CsvExport {

    private CsvExport() {
    }

    /** Asks where to save, with the system's file chooser, then saves there. */
    static void ask(Table table, String label, Consumer<String> outcome) {
        FileDialog chooser = new FileDialog(table.getShell(), SWT.SAVE);
        chooser.setText("Export " + label.toLowerCase(Locale.ROOT) + " records");
        chooser.setFilterExtensions(new String[] { "*.csv", "*" });
        chooser.setFileName(label.toLowerCase(Locale.ROOT).replace(' ', '-') + ".csv");
        chooser.setOverwrite(true);
        String path = chooser.open();
        if (path != null) {
            write(table, Path.of(path), outcome);
        }
    }

    /**
     * Reads the table as shown (on the UI thread) and writes it in a job.
     *
     * @param outcome told, on the job's thread, what happened, in words
     */
    static void write(Table table, Path file, Consumer<String> outcome) {
        List<String[]> lines = new ArrayList<>();
        String[] headers = new String[table.getColumnCount()];
        for (int c = 0; c < headers.length; c++) {
            headers[c] = table.getColumn(c).getText();
        }
        lines.add(headers);
        for (TableItem item : table.getItems()) {
            String[] cells = new String[headers.length];
            for (int c = 0; c < cells.length; c++) {
                cells[c] = item.getText(c);
            }
            lines.add(cells);
        }
        Job.create("Exporting to " + file.getFileName(), (IProgressMonitor monitor) -> {
            Path partial = file.resolveSibling(file.getFileName() + ".part");
            try {
                try (Writer out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
                    out.write('\uFEFF');
                    for (String[] line : lines) {
                        for (int c = 0; c < line.length; c++) {
                            if (c > 0) {
                                out.write(',');
                            }
                            out.write(cell(line[c]));
                        }
                        out.write("\r\n");
                    }
                }
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
                int records = lines.size() - 1;
                outcome.accept("Saved " + records + (records == 1 ? " record" : " records") + " to " + file);
            } catch (IOException | RuntimeException e) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // the message below says what failed
                }
                outcome.accept("Not exported: " + file + " could not be written (" + e.getMessage() + ")");
            }
            return Status.OK_STATUS;
        }).schedule();
    }

    /** @return a value as one CSV field: quoted when it must be, never a formula */
    static String cell(String value) {
        String v = value == null ? "" : value;
        if (!v.isEmpty() && "=+@\t\r".indexOf(v.charAt(0)) >= 0
                || v.length() > 1 && v.charAt(0) == '-' && !Character.isDigit(v.charAt(1))) {
            v = "'" + v;
        }
        if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
            return '"' + v.replace("\"", "\"\"") + '"';
        }
        return v;
    }
}
