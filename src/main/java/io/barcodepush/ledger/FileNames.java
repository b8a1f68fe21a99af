package io.barcodepush.ledger;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Locale;

/**
 * Export file names: the interface's date-time pattern, made unique per interface with {@code _2}, {@code _3}, ...
 */
public final class FileNames {

    private FileNames() {
    }

    /** Formats the pattern at the given instant in the interface's time zone, independent of the JVM's locale. */
    public static String format(String pattern, ZoneId zone, Instant instant) {
        return DateTimeFormatter.ofPattern(pattern, Locale.ROOT).format(instant.atZone(zone));
    }

    /**
     * Returns {@code name} if it is not taken, otherwise the name with the lowest free suffix {@code _N}
     * (N from 2) placed before the extension.
     */
    public static String firstFree(String name, Collection<String> taken) {
        if (!taken.contains(name)) {
            return name;
        }
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String extension = dot > 0 ? name.substring(dot) : "";
        for (int suffix = 2; ; suffix++) {
            String candidate = stem + "_" + suffix + extension;
            if (!taken.contains(candidate)) {
                return candidate;
            }
        }
    }

    /** Returns a SQL LIKE pattern matching the name and every suffixed variant of it. */
    static String likeVariants(String name) {
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String extension = dot > 0 ? name.substring(dot) : "";
        return escapeLike(stem) + "%" + escapeLike(extension);
    }

    private static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
