package org.trestle.construction.ui;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.PaletteData;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.printing.PrintDialog;
import org.eclipse.swt.printing.Printer;
import org.eclipse.swt.printing.PrinterData;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Shell;

/**
 * An estimate for the client: saved as PDF (Export PDF...), or printed (Print...), the
 * printed pages being the PDF's pages, so that paper and file always look the same.
 */
final class EstimateOutput {

    /** Print resolution of the pages handed to the printer. */
    private static final int DPI = 150;

    private EstimateOutput() {
    }

    /**
     * @param output runs what it is given with the estimate as saved (or says why not)
     * @param told   hears how an export or a print went
     * @return Export PDF... and Print..., made in {@code parent}
     */
    static java.util.List<org.eclipse.swt.widgets.Button> buttons(org.eclipse.swt.widgets.Composite parent,
            Consumer<Consumer<EstimatePdf.Content>> output, Consumer<String> told) {
        return java.util.List.of(
                Widgets.button(parent, "Export PDF...", () -> output.accept(c -> askAndExport(parent.getShell(), c, told))),
                Widgets.button(parent, "Print...", () -> output.accept(c -> askAndPrint(parent.getShell(), c, told))));
    }

    /** Asks where to save the PDF, then writes it; {@code told} hears how it went. */
    static void askAndExport(Shell shell, EstimatePdf.Content content, Consumer<String> told) {
        FileDialog dialog = new FileDialog(shell, SWT.SAVE);
        dialog.setText("Export the estimate as PDF");
        dialog.setFilterExtensions(new String[] { "*.pdf" });
        dialog.setFileName(content.heading().replaceAll("[\\\\/:*?\"<>|]", "-") + ".pdf");
        dialog.setOverwrite(true);
        String chosen = dialog.open();
        if (chosen != null) {
            told.accept(export(content, Path.of(chosen.endsWith(".pdf") ? chosen : chosen + ".pdf")));
        }
    }

    /** @return what happened, in words: where the PDF is, or why it is not */
    static String export(EstimatePdf.Content content, Path file) {
        try {
            EstimatePdf.write(content, file);
            return "Saved " + file.getFileName() + " in " + file.toAbsolutePath().getParent() + ".";
        } catch (IOException | RuntimeException e) {
            return "Not saved as PDF: " + e.getMessage();
        }
    }

    /** Asks for a printer and prints; {@code told} hears how it went. */
    static void askAndPrint(Shell shell, EstimatePdf.Content content, Consumer<String> told) {
        PrintDialog dialog = new PrintDialog(shell, SWT.NONE);
        dialog.setText("Print the estimate");
        PrinterData data = dialog.open();
        if (data != null) {
            told.accept(print(content, data));
        }
    }

    /** @return what happened, in words */
    static String print(EstimatePdf.Content content, PrinterData data) {
        Printer printer = new Printer(data);
        try (PDDocument pdf = EstimatePdf.render(content)) {
            if (!printer.startJob(content.heading())) {
                return "Not printed: the printer did not start the job.";
            }
            PDFRenderer renderer = new PDFRenderer(pdf);
            for (int i = 0; i < pdf.getNumberOfPages(); i++) {
                printer.startPage();
                Image image = new Image(printer, toImageData(renderer.renderImageWithDPI(i, DPI, ImageType.RGB)));
                GC gc = new GC(printer);
                try {
                    Rectangle area = printer.getClientArea();
                    Point dpi = printer.getDPI();
                    ImageData pixels = image.getImageData();
                    // the page at its own size: pixels at DPI to the printer's resolution, within its area
                    int width = Math.min(area.width, pixels.width * dpi.x / DPI);
                    int height = Math.min(area.height, pixels.height * dpi.y / DPI);
                    gc.drawImage(image, 0, 0, pixels.width, pixels.height, area.x, area.y, width, height);
                } finally {
                    gc.dispose();
                    image.dispose();
                }
                printer.endPage();
            }
            printer.endJob();
            return "Sent " + pdf.getNumberOfPages() + (pdf.getNumberOfPages() == 1 ? " page" : " pages") + " to "
                    + data.name + ".";
        } catch (IOException | RuntimeException e) {
            return "Not printed: " + e.getMessage();
        } finally {
            printer.dispose();
        }
    }

    private static ImageData toImageData(BufferedImage image) {
        ImageData data = new ImageData(image.getWidth(), image.getHeight(), 24, new PaletteData(0xFF0000, 0xFF00, 0xFF));
        int[] row = new int[image.getWidth()];
        for (int y = 0; y < image.getHeight(); y++) {
            image.getRGB(0, y, row.length, 1, row, 0, row.length);
            for (int x = 0; x < row.length; x++) {
                row[x] &= 0xFFFFFF; // no alpha: a page is opaque
            }
            data.setPixels(0, y, row.length, row, 0);
        }
        return data;
    }
}
