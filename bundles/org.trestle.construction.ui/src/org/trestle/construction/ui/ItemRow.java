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
}
