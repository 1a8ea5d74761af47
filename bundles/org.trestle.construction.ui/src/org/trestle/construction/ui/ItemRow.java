package org.trestle.construction.ui;

import java.math.BigDecimal;

import org.trestle.app.parts.Amounts;

/** An estimate item as the editor holds it, as typed, before it is saved. */
final class ItemRow {

    /** How many values a row holds: position, description, unit, quantity, unit price. */
    static final int COLUMNS = 5;

    String uuid;
    final String[] values = new String[COLUMNS];
    boolean deleted;

    /** @return quantity times unit price, or {@code null} while either is not a number */
    BigDecimal lineTotal() {
        try {
            // as typed: the locale's way (1.150,50 in German) or plainly
            return new BigDecimal(Amounts.plain(values[3])).multiply(new BigDecimal(Amounts.plain(values[4])));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** @return what is wrong with a value as typed (what is expected, in words), or {@code null} when it is valid */
    String problem(int column) {
        String value = values[column] == null ? "" : values[column].trim();
        switch (column) {
        case 0:
            return value.matches("\\d{1,9}") && Integer.parseInt(value) >= 1 ? null : "a whole number from 1";
        case 1, 2:
            return value.isEmpty() ? "required" : null;
        default:
            try {
                return new BigDecimal(Amounts.plain(value)).signum() >= 0 ? null : "not below zero";
            } catch (IllegalArgumentException e) { // NumberFormatException too, for an empty value
                return "a number, written as " + Amounts.shown("1234.50");
            }
        }
    }
}
