package org.trestle.construction.ui;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * An estimate as a PDF for the client, made with Apache PDFBox: its number and title, the
 * project, status and date, a table of the items (description, unit, quantity, unit
 * price, line total) continued over as many A4 pages as it needs, the total in the
 * estimate's currency, and the notes. Amounts as the user's locale writes them.
 */
final class EstimatePdf {

    /**
     * What the document shows, as text already written for people.
     *
     * @param rows per item: position, description, unit, quantity, unit price, line total
     */
    record Content(String heading, String title, String project, String status, String date, List<String[]> rows,
            String total, String notes) {
    }

    private static final float MARGIN = 50;
    private static final float LINE = 15;
    private static final String[] HEADS = { "Pos", "Description", "Unit", "Quantity", "Unit price", "Line total" };
    /** Where each column starts, from the left margin; the last four are right-aligned at their end. */
    private static final float[] ENDS = { 25, 250, 290, 360, 425, 495 };

    private final PDFont regular = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
    private final PDFont bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
    private PDDocument document;
    private PDPageContentStream page;
    private float y;

    private EstimatePdf() {
    }

    /** Writes the PDF into a file: written beside it first and moved into place, so no half-written file is left. */
    static void write(Content content, Path file) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".part");
        try (PDDocument pdf = render(content); OutputStream out = Files.newOutputStream(partial)) {
            pdf.save(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** @return the document, for printing or saving; the caller closes it */
    static PDDocument render(Content content) throws IOException {
        EstimatePdf pdf = new EstimatePdf();
        pdf.document = new PDDocument();
        try {
            pdf.draw(content);
            return pdf.document;
        } catch (IOException | RuntimeException e) {
            pdf.document.close();
            throw e;
        }
    }

    private void draw(Content c) throws IOException {
        newPage();
        text(bold, 16, MARGIN, c.heading());
        y -= 8;
        text(bold, 12, MARGIN, c.title());
        text(regular, 10, MARGIN, "Project: " + c.project());
        text(regular, 10, MARGIN, "Status: " + c.status() + "    Date: " + c.date());
        y -= 10;
        row(bold, HEADS);
        for (String[] r : c.rows()) {
            if (y < MARGIN + 3 * LINE) {
                newPage();
                row(bold, HEADS);
            }
            row(regular, r);
        }
        y -= 6;
        String total = "Total: " + c.total();
        text(bold, 11, MARGIN + ENDS[5] - width(bold, 11, total), total);
        if (c.notes() != null && !c.notes().isBlank()) {
            y -= 10;
            text(bold, 10, MARGIN, "Notes");
            for (String line : c.notes().split("\\R")) {
                if (y < MARGIN + LINE) {
                    newPage();
                }
                text(regular, 10, MARGIN, fit(regular, 10, line, ENDS[5]));
            }
        }
        page.close();
    }

    private void newPage() throws IOException {
        if (page != null) {
            page.close();
        }
        PDPage p = new PDPage(PDRectangle.A4);
        document.addPage(p);
        page = new PDPageContentStream(document, p);
        y = PDRectangle.A4.getHeight() - MARGIN;
    }

    /** One line of the items' table: position and description from the left, amounts right-aligned. */
    private void row(PDFont font, String[] cells) throws IOException {
        float start = 0;
        for (int i = 0; i < cells.length && i < ENDS.length; i++) {
            float room = ENDS[i] - start - 6;
            String cell = fit(font, 9, cells[i] == null ? "" : cells[i], room);
            float x = i >= 3 ? MARGIN + ENDS[i] - width(font, 9, cell) : MARGIN + start;
            put(font, 9, x, y, cell);
            start = ENDS[i];
        }
        y -= LINE;
    }

    private void text(PDFont font, float size, float x, String text) throws IOException {
        put(font, size, x, y, text);
        y -= size + 5;
    }

    private void put(PDFont font, float size, float x, float at, String text) throws IOException {
        page.beginText();
        page.setFont(font, size);
        page.newLineAtOffset(x, at);
        page.showText(encodable(font, text));
        page.endText();
    }

    private static float width(PDFont font, float size, String text) throws IOException {
        return font.getStringWidth(encodable(font, text)) / 1000 * size;
    }

    /** @return the text shortened with an ellipsis to fit a width */
    private static String fit(PDFont font, float size, String text, float room) throws IOException {
        String shown = encodable(font, text);
        if (width(font, size, shown) <= room) {
            return shown;
        }
        while (!shown.isEmpty() && width(font, size, shown + "...") > room) {
            shown = shown.substring(0, shown.length() - 1);
        }
        return shown + "...";
    }

    /** @return the text with each character the standard font cannot show replaced by "?" */
    private static String encodable(PDFont font, String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            String ch = cp == '\u00A0' || cp == '\u202F' ? " " : new String(Character.toChars(cp));
            try {
                font.encode(ch);
                out.append(ch);
            } catch (IOException | IllegalArgumentException e) {
                out.append('?');
            }
        });
        return out.toString();
    }
}
