package org.trestle.construction.ui;

import java.math.BigDecimal;

import org.trestle.app.parts.Amounts;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.trestle.sync.api.EntityRow;
import org.trestle.sync.api.EntityStore;
import org.trestle.sync.api.EntityWrite;
import org.trestle.sync.api.entity.EntityIds;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** How the estimate editor reads an estimate with its items, and what it writes back. */
final class EstimateData {

    /** The item attributes in the editor's column order. */
    static final String[] COLUMNS = { "position", "description", "unit", "quantity", "unitPrice" };

    /** An estimate's header and items as read from the database. */
    record Loaded(String estimate, ObjectNode header, List<ItemRow> rows) {
    }

    private EstimateData() {
    }

    /** Reads an estimate and its items (selected in the database), ordered by position. */
    static Loaded load(EntityStore store, String estimate) {
        ObjectNode header = store.find("Estimate", estimate).map(EntityRow::data)
                .orElse(JsonNodeFactory.instance.objectNode());
        List<ItemRow> loaded = new ArrayList<>();
        for (EntityRow entry : store.referencing("EstimateItem", "estimate", estimate)) {
            ObjectNode data = entry.data();
            ItemRow row = new ItemRow();
            row.uuid = entry.uuid();
            for (int i = 0; i < ItemRow.COLUMNS; i++) {
                row.values[i] = data.path(COLUMNS[i]).isNull() ? "" : data.path(COLUMNS[i]).asText("");
                if (i >= 3 && !row.values[i].isEmpty()) {
                    row.values[i] = Amounts.shown(row.values[i]); // quantity and unit price as the locale writes them
                }
            }
            loaded.add(row);
        }
        loaded.sort(Comparator.comparingInt(EstimateData::position));
        return new Loaded(estimate, header, loaded);
    }

    /**
     * A value of an item that cannot be saved: which row (as shown, from 1), which column,
     * and what is expected.
     */
    static final class CellProblem extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final transient ItemRow row;
        private final int column;

        CellProblem(ItemRow row, int shownRow, int column, String expected) {
            super("Row " + shownRow + ", " + ItemsTable.title(column) + ": " + (row.values[column].isBlank()
                    ? expected : "\"" + row.values[column].trim() + "\" is not valid, expected " + expected));
            this.row = row;
            this.column = column;
        }

        ItemRow row() {
            return row;
        }

        int column() {
            return column;
        }
    }

    /**
     * Gives each new row the uuid its item is saved under.
     *
     * @return the writes that save the header and the items together
     * @throws CellProblem naming the first cell, in the order shown, whose value cannot be saved
     */
    static List<EntityWrite> writes(String estimate, String title, String status, String notes, List<ItemRow> rows) {
        List<ItemRow> shown = rows.stream().filter(r -> !r.deleted).sorted(Comparator.comparingInt(EstimateData::position))
                .toList();
        for (int i = 0; i < shown.size(); i++) {
            for (int column = 0; column < ItemRow.COLUMNS; column++) {
                String problem = shown.get(i).problem(column);
                if (problem != null) {
                    throw new CellProblem(shown.get(i), i + 1, column, problem);
                }
            }
        }
        List<EntityWrite> puts = new ArrayList<>();
        JsonNodeFactory f = JsonNodeFactory.instance;
        puts.add(EntityWrite.put("Estimate", estimate, f.objectNode().put("title", title).put("status", status)
                .put("notes", notes.isEmpty() ? null : notes)));
        for (ItemRow r : rows) {
            if (r.deleted) {
                if (r.uuid != null) {
                    puts.add(EntityWrite.delete("EstimateItem", r.uuid));
                }
                continue;
            }
            ObjectNode data = f.objectNode().put("estimate", estimate).put("description", r.values[1].trim())
                    .put("unit", r.values[2].trim()).put("position", Integer.parseInt(r.values[0].trim()))
                    .put("quantity", new BigDecimal(Amounts.plain(r.values[3])).toPlainString())
                    .put("unitPrice", new BigDecimal(Amounts.plain(r.values[4])).toPlainString());
            if (r.uuid == null) {
                r.uuid = EntityIds.newUuid(); // the row is that item from now on: a later save updates it
            }
            puts.add(EntityWrite.put("EstimateItem", r.uuid, data));
        }
        return puts;
    }

    /** @return the row's position, rows without a number last */
    static int position(ItemRow row) {
        try {
            return Integer.parseInt(row.values[0].trim());
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    /** @return how the chooser names an estimate: "E-1 Foundations, Harbour bridge" */
    static String choiceText(ObjectNode estimate, java.util.Map<String, String> projectNames) {
        String text = (estimate.path("number").asText("") + " " + estimate.path("title").asText("")).trim();
        String project = projectNames.get(estimate.path("project").asText(""));
        return project == null || project.isEmpty() ? text : text + ", " + project;
    }

    /** @return a new item after the last position, with a quantity of 1 */
    static ItemRow nextItem(List<ItemRow> rows, String description, String unit, String unitPrice) {
        ItemRow row = new ItemRow();
        row.values[0] = String.valueOf(rows.stream().filter(r -> !r.deleted).mapToInt(EstimateData::position).max()
                .orElse(0) + 1);
        row.values[1] = description;
        row.values[2] = unit;
        row.values[3] = "1";
        row.values[4] = unitPrice;
        return row;
    }

    /** @return the sum of the line totals of the items not removed (a line not yet a number counts nothing) */
    static BigDecimal total(List<ItemRow> rows) {
        BigDecimal sum = BigDecimal.ZERO;
        for (ItemRow r : rows) {
            if (!r.deleted && r.lineTotal() != null) {
                sum = sum.add(r.lineTotal());
            }
        }
        return sum;
    }

    /**
     * @param header  the estimate as stored (its number and project)
     * @param project the project's name
     * @return what the PDF and the printout of an estimate show, written as the locale writes it
     */
    static EstimatePdf.Content content(ObjectNode header, String project, String title, String status, String notes,
            List<ItemRow> rows, String currency) {
        List<String[]> lines = new ArrayList<>();
        for (ItemRow r : rows.stream().filter(r -> !r.deleted).sorted(Comparator.comparingInt(EstimateData::position)).toList()) {
            BigDecimal line = r.lineTotal();
            lines.add(new String[] { r.values[0], r.values[1], r.values[2], r.values[3], r.values[4],
                    line == null ? "" : Amounts.shown(line.setScale(2, java.math.RoundingMode.HALF_UP).toPlainString()) });
        }
        return new EstimatePdf.Content("Estimate " + header.path("number").asText(""), title, project == null ? "" : project,
                status, org.trestle.app.parts.Dates.shown(java.time.LocalDate.now()), lines, Amounts.money(total(rows), currency),
                notes);
    }
}
