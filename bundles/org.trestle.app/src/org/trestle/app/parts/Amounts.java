package org.trestle.app.parts;

import java.math.BigDecimal;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Decimal amounts as the user's locale writes them: shown with its grouping and decimal
 * separator, with at least two decimals ("48.000,00" in German, "48,000.00" in English), and read
 * back from what a person types: the locale's own form, with or without grouping, or a
 * plain number with a point.
 *
 * @since 0.1
 */
public final class Amounts {

    private Amounts() {
    }

    private static Locale locale() {
        return Locale.getDefault(Locale.Category.FORMAT);
    }

    /** @return a stored decimal ("48000.00") as the locale writes it, or the text as it is when it is not one */
    public static String shown(String stored) {
        if (stored == null || stored.isEmpty()) {
            return "";
        }
        try {
            BigDecimal value = new BigDecimal(stored);
            NumberFormat format = NumberFormat.getNumberInstance(locale());
            format.setGroupingUsed(true);
            // at least cents, as amounts are written; more when the value holds more (a quantity of 12.500)
            format.setMinimumFractionDigits(Math.max(value.scale(), 2));
            format.setMaximumFractionDigits(Math.max(value.scale(), 2));
            return format.format(value);
        } catch (NumberFormatException e) {
            return stored;
        }
    }

    /**
     * @return what a person typed as a plain decimal ("1250.5"), for storing
     * @throws IllegalArgumentException naming the form expected, when it is not a number
     */
    public static String plain(String typed) {
        DecimalFormatSymbols symbols = DecimalFormatSymbols.getInstance(locale());
        String decimal = String.valueOf(symbols.getDecimalSeparator());
        char groupingChar = symbols.getGroupingSeparator();
        // grouping by spaces (French) is typed with any kind of space
        String grouping = Character.isSpaceChar(groupingChar) ? " " : String.valueOf(groupingChar);
        String text = typed.trim().replace('\u00A0', ' ').replace('\u202F', ' ');
        if (text.isEmpty() || text.matches("[-+]?\\d+")) {
            return text;
        }
        var single = Pattern.compile("([-+]?\\d*)([.,])(\\d+)").matcher(text);
        if (single.matches()) {
            String separator = single.group(2);
            // "12,500" where the comma groups thousands is twelve thousand five hundred; "12,5" is twelve and a half
            boolean groups = separator.equals(grouping) && !separator.equals(decimal) && single.group(3).length() == 3;
            return groups ? single.group(1) + single.group(3) : single.group(1) + "." + single.group(3);
        }
        String pattern = "[-+]?\\d{1,3}(" + Pattern.quote(grouping) + "\\d{3})*(" + Pattern.quote(decimal) + "\\d+)?";
        if (text.matches(pattern)) {
            return text.replace(grouping, "").replace(decimal, ".");
        }
        throw new IllegalArgumentException("not a number: write it as " + shown("1234.50"));
    }

    /**
     * @param currency an ISO 4217 code ("EUR"); shown as its code when the JDK does not know it
     * @return an amount of money as the locale writes it, with its currency: "1.187,50 €" in
     *         German, "€1,187.50" in English
     */
    public static String money(BigDecimal amount, String currency) {
        NumberFormat format = NumberFormat.getCurrencyInstance(locale());
        try {
            format.setCurrency(java.util.Currency.getInstance(currency));
        } catch (IllegalArgumentException | NullPointerException e) {
            return shown(amount.setScale(2, java.math.RoundingMode.HALF_UP).toPlainString()) + " " + currency;
        }
        format.setMinimumFractionDigits(2);
        format.setMaximumFractionDigits(2);
        return format.format(amount);
    }
}
