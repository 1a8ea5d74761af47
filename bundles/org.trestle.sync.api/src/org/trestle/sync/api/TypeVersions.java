package org.trestle.sync.api;

import java.util.regex.Pattern;

/**
 * Versions of entity type declarations, {@code major.minor.micro}, and their order.
 *
 * @since 0.1
 */
public final class TypeVersions {

    private static final Pattern VERSION = Pattern.compile("(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})\\.(0|[1-9][0-9]{0,8})");

    private TypeVersions() {
    }

    /** @return whether the text is a version of a declaration */
    public static boolean valid(String version) {
        return version != null && VERSION.matcher(version).matches();
    }

    /**
     * @return the version, when valid
     * @throws IllegalArgumentException naming the type, when not
     */
    public static String check(String type, String version) {
        if (!valid(version)) {
            throw new IllegalArgumentException("the version of entity type " + type + " must be major.minor.micro, not '"
                    + version + "'");
        }
        return version;
    }

    /** Compares two valid versions: negative when {@code a} is older than {@code b}. */
    public static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < 3; i++) {
            int c = Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** @return whether {@code theirs} is a valid version later than {@code mine} */
    public static boolean newer(String theirs, String mine) {
        return valid(theirs) && valid(mine) && compare(theirs, mine) > 0;
    }
}
