package io.barcodepush.export;

import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.List;

/**
 * Checks and formats the feed rows that the new-tickets query returns.
 */
final class TicketRows {

    /** Ticket states a reseller understands; a row with any other state is not sent. */
    static final List<String> KNOWN_STATES = List.of("PRINTED", "NOT_PRINTED", "CANCELLED", "INVALIDATED",
            "CONTROLLED");

    private static final DateTimeFormatter FILE_DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss",
            Locale.ROOT);

    private TicketRows() {
    }

    /** Returns why the row cannot be sent, or null when it can. */
    static String unusableReason(Map<String, Object> row) {
        Object barCode = row.get("BAR_CODE");
        if (barCode == null || barCode.toString().isBlank()) {
            return "no barcode";
        }
        Object state = row.get("TICKET_STATE");
        if (state == null || !KNOWN_STATES.contains(state.toString())) {
            return "unknown ticket state '" + state + "' (expected one of " + KNOWN_STATES + ")";
        }
        return null;
    }

    static long ticketId(Map<String, Object> row) {
        return ((Number) row.get("TICKET_ID")).longValue();
    }

    static String ticketState(Map<String, Object> row) {
        return String.valueOf(row.get("TICKET_STATE"));
    }

    static OffsetDateTime createdAt(Map<String, Object> row) {
        return toOffsetDateTime(row.get("CREATED_AT"));
    }

    /** Replaces the ORDER_DATE instant with its text in the interface's time zone. */
    static void formatOrderDate(Map<String, Object> row, ZoneId zone) {
        OffsetDateTime orderDate = toOffsetDateTime(row.get("ORDER_DATE"));
        row.put("ORDER_DATE", orderDate == null ? null : FILE_DATE_TIME.format(orderDate.atZoneSameInstant(zone)));
    }

    private static OffsetDateTime toOffsetDateTime(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetDateTime offsetDateTime) {
            return offsetDateTime;
        }
        if (value instanceof Timestamp timestamp) {
            // A timestamptz arrives as a Timestamp holding the right instant, whatever the JVM's zone.
            return timestamp.toInstant().atOffset(ZoneOffset.UTC);
        }
        throw new IllegalStateException("Expected a timestamptz value, got " + value.getClass().getName());
    }
}
