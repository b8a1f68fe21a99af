package io.barcodepush.export;

import java.text.ParseException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import org.quartz.CronExpression;

/**
 * One reseller interface: its mappings, recipients, schedule and file settings, validated.
 *
 * @param key             immutable identifier; the ledger is keyed by it and the route id is {@code export-<key>}
 * @param name            display name used in mail subjects; may change without resending anything
 * @param contactNumbers  contact numbers whose tickets go to this interface
 * @param salesChannels   sales channel codes whose tickets go to this interface
 * @param recipients      mail addresses the files go to
 * @param cron            Quartz cron expression of the schedule
 * @param scheduleZone    zone the cron is evaluated in
 * @param timeZone        zone for file names and ORDER_DATE values
 * @param fileNamePattern Java date-time pattern of the file name, evaluated at the run's start
 * @param batchSize       maximum rows per file; more rows make several files
 * @param dateFrom        tickets created before this instant are never sent; empty means the interface's first start
 * @param endTime         tickets created at or after this instant are never sent; empty means no end
 */
public record ExportInterface(
        String key,
        String name,
        List<String> contactNumbers,
        List<String> salesChannels,
        List<String> recipients,
        String cron,
        ZoneId scheduleZone,
        ZoneId timeZone,
        String fileNamePattern,
        int batchSize,
        Optional<OffsetDateTime> dateFrom,
        Optional<OffsetDateTime> endTime) {

    /** Largest accepted batch size, because a run keeps one file's rows in memory. */
    public static final int MAX_BATCH_SIZE = 50_000;

    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern LIST_SEPARATOR = Pattern.compile("[,;]");

    /**
     * Builds an interface from its template parameters, which are already resolved against the defaults.
     *
     * @throws InvalidInterfaceException on the first setting that cannot be used
     */
    public static ExportInterface fromParameters(Map<String, String> parameters) {
        String key = parameters.getOrDefault("key", "").trim();
        if (!KEY.matcher(key).matches()) {
            throw new InvalidInterfaceException(key.isEmpty() ? "(no key)" : key, "key", key,
                    "Use 1 to 63 lower-case letters, digits and hyphens, starting with a letter or digit,"
                            + " for example alpine-travel. The key must never change once files were sent.");
        }

        String name = parameters.getOrDefault("name", "").trim();
        if (name.isEmpty() || name.contains("\n") || name.contains("\r")) {
            throw new InvalidInterfaceException(key, "name", name,
                    "Give the reseller's display name on one line, for example \"Alpine Travel\".");
        }

        List<String> contacts = splitList(parameters.get("contactNumbers"));
        List<String> channels = splitList(parameters.get("salesChannels"));
        if (contacts.isEmpty() && channels.isEmpty()) {
            throw new InvalidInterfaceException(key, "contactNumbers/salesChannels", "",
                    "Map at least one contact number or sales channel code to the interface.");
        }

        String recipientText = parameters.getOrDefault("recipients", "");
        List<String> recipients = splitList(recipientText);
        if (recipients.isEmpty()) {
            throw new InvalidInterfaceException(key, "recipients", recipientText,
                    "Give one or more mail addresses separated by commas, for example ops@reseller.example.");
        }
        for (String recipient : recipients) {
            checkAddress(key, recipient);
        }

        String cron = parameters.getOrDefault("cron", "").trim();
        try {
            CronExpression.validateExpression(cron);
        } catch (ParseException e) {
            throw new InvalidInterfaceException(key, "cron", cron,
                    "Use a Quartz cron expression with seconds first, for example 0 0/15 * * * ? (every 15 minutes): "
                            + e.getMessage());
        }

        ZoneId zone = parseZone(key, "timeZone", parameters.getOrDefault("timeZone", "UTC"));
        ZoneId scheduleZone = parseZone(key, "scheduleTimeZone", parameters.getOrDefault("scheduleTimeZone", "UTC"));

        String pattern = parameters.getOrDefault("fileNamePattern", "");
        checkFileNamePattern(key, pattern, zone);

        String batchText = parameters.getOrDefault("batchSize", "").trim();
        int batchSize;
        try {
            batchSize = Integer.parseInt(batchText);
        } catch (NumberFormatException e) {
            batchSize = -1;
        }
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new InvalidInterfaceException(key, "batchSize", batchText,
                    "Use a whole number of rows per file from 1 to " + MAX_BATCH_SIZE + ".");
        }

        Optional<OffsetDateTime> dateFrom = parseTime(key, "dateFrom", parameters.get("dateFrom"), zone);
        Optional<OffsetDateTime> endTime = parseTime(key, "endTime", parameters.get("endTime"), zone);
        if (dateFrom.isPresent() && endTime.isPresent() && !dateFrom.get().isBefore(endTime.get())) {
            throw new InvalidInterfaceException(key, "endTime", parameters.get("endTime"),
                    "The end time must be after dateFrom (" + parameters.get("dateFrom") + ").");
        }

        return new ExportInterface(key, name, contacts, channels, recipients, cron, scheduleZone, zone, pattern,
                batchSize, dateFrom, endTime);
    }

    /** Route id of the interface's scheduled route. */
    public String routeId() {
        return "export-" + key;
    }

    /** Splits a comma- or semicolon-separated list, dropping blanks and duplicates. */
    static List<String> splitList(String text) {
        if (text == null) {
            return List.of();
        }
        List<String> items = new ArrayList<>();
        Arrays.stream(LIST_SEPARATOR.split(text))
                .map(String::trim)
                .filter(item -> !item.isEmpty())
                .filter(item -> !items.contains(item))
                .forEach(items::add);
        return List.copyOf(items);
    }

    /**
     * Returns whether the cron fires more than once an hour in a zone with daylight saving time. Quartz
     * evaluates such a cron in wall-clock time, so it goes quiet for the hour that repeats in autumn.
     */
    public boolean cronSkipsRepeatedHour() {
        String[] fields = cron.trim().split("\\s+");
        boolean subHourly = fields.length > 2 && (fields[2].equals("*") || fields[2].contains("/"));
        return subHourly && !scheduleZone.getRules().isFixedOffset();
    }

    private static ZoneId parseZone(String key, String setting, String text) {
        String value = text.trim();
        try {
            // ZoneId.of also accepts offsets such as +01:00, which are valid zones too.
            return ZoneId.of(value);
        } catch (DateTimeException e) {
            throw new InvalidInterfaceException(key, setting, value, "Use a region id such as UTC or Europe/Zurich.");
        }
    }

    private static void checkAddress(String key, String recipient) {
        try {
            InternetAddress address = new InternetAddress(recipient, true);
            if (address.getPersonal() != null || !address.getAddress().contains("@")) {
                throw new AddressException("expected a plain address such as name@example.com");
            }
        } catch (AddressException e) {
            throw new InvalidInterfaceException(key, "recipients", recipient,
                    "Each recipient must be a plain mail address such as ops@reseller.example ("
                            + e.getMessage() + ").");
        }
    }

    private static void checkFileNamePattern(String key, String pattern, ZoneId zone) {
        String sample;
        try {
            sample = DateTimeFormatter.ofPattern(pattern, Locale.ROOT).format(OffsetDateTime.now(zone));
        } catch (IllegalArgumentException | DateTimeException e) {
            throw new InvalidInterfaceException(key, "fileNamePattern", pattern,
                    "Use a Java date-time pattern with literals in single quotes, for example "
                            + "'Barcodes_'yyyy-MM-dd-HH-mm'.csv' (" + e.getMessage() + ").");
        }
        if (sample.isBlank() || sample.chars().anyMatch(c -> c < 0x20 || "/\\:*?\"<>|".indexOf(c) >= 0)) {
            throw new InvalidInterfaceException(key, "fileNamePattern", pattern,
                    "The pattern gives the file name '" + sample + "', which is empty or contains a character"
                            + " not allowed in file names (/ \\ : * ? \" < > | or a control character).");
        }
    }

    private static Optional<OffsetDateTime> parseTime(String key, String setting, String text, ZoneId zone) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String value = text.trim();
        try {
            return Optional.of(OffsetDateTime.parse(value));
        } catch (DateTimeParseException notWithOffset) {
            try {
                return Optional.of(LocalDateTime.parse(value).atZone(zone).toOffsetDateTime());
            } catch (DateTimeParseException notLocalDateTime) {
                try {
                    return Optional.of(LocalDate.parse(value).atStartOfDay(zone).toOffsetDateTime());
                } catch (DateTimeParseException notDate) {
                    throw new InvalidInterfaceException(key, setting, value,
                            "Use an ISO-8601 date or date-time, for example 2026-11-01, 2026-11-01T06:00"
                                    + " (in the interface's time zone) or 2026-11-01T06:00:00Z.");
                }
            }
        }
    }
}
