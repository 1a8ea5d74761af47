package org.trestle.construction.ui;

import java.math.BigDecimal;

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
            return new BigDecimal(values[3].replace(',', '.')).multiply(new BigDecimal(values[4].replace(',', '.')));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
