package org.trestle.construction;

import java.math.BigDecimal;
import java.util.List;

/** Checks shared by the construction entities; messages start with the attribute name. */
final class Rules {

    private Rules() {
    }

    static void text(List<String> problems, String attribute, String value, int min, int max) {
        int length = value == null ? 0 : value.strip().length();
        if (min > 0 && length == 0) {
            problems.add(attribute + ": required");
        } else if (value != null && (length < min || value.length() > max)) {
            problems.add(attribute + ": " + min + " to " + max + " characters");
        }
    }

    static void notNegative(List<String> problems, String attribute, BigDecimal value, int integerDigits, int scale) {
        if (value == null) {
            return;
        }
        if (value.signum() < 0) {
            problems.add(attribute + ": must not be negative");
        }
        if (value.scale() > scale || value.precision() - value.scale() > integerDigits) {
            problems.add(attribute + ": at most " + integerDigits + " digits before and " + scale + " after the point");
        }
    }
}
