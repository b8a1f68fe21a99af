package io.barcodepush.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.barcodepush.export.ExportInterface;

/**
 * The product's own tables: interfaces, export files and the tickets in them, accessed with plain JDBC.
 *
 * <p>Every method works on the connection of the run that holds the interface's lock, so a run never needs a
 * second pooled connection for its bookkeeping.
 */
public class ExportLedger {

    /** First key of the two-key advisory locks taken by barcode-push ("BP" in ASCII). */
    private static final int LOCK_NAMESPACE = 0x4250;

    /** First key of the transaction locks that serialise registrations of one interface by several instances. */
    private static final int REGISTER_LOCK_NAMESPACE = 0x4251;
    private static final String REGISTER_LOCK = "SELECT pg_advisory_xact_lock(?, hashtext(?))";
    private static final String TRY_LOCK = "SELECT pg_try_advisory_lock(?, hashtext(?))";
    private static final String UNLOCK = "SELECT pg_advisory_unlock(?, hashtext(?))";

    private static final String INSERT_INTERFACE = """
            INSERT INTO barcode_push.export_interface (interface_key, first_started_at)
            VALUES (?, now())
            ON CONFLICT (interface_key) DO NOTHING""";
    private static final String START_RUN = """
            UPDATE barcode_push.export_interface
            SET last_run_started_at = now()
            WHERE interface_key = ?
            RETURNING now(), first_started_at, scanned_until""";
    private static final String SELECT_MAPPINGS = """
            SELECT mapping_type, mapping_value, active FROM barcode_push.interface_mapping WHERE interface_key = ?""";
    // The interface's first mappings count from its date-from. A mapping added later, or removed and added
    // back, counts from the moment an instance first saw it.
    private static final String INSERT_MAPPING = """
            INSERT INTO barcode_push.interface_mapping
                (interface_key, mapping_type, mapping_value, first_seen_at, counts_from, active)
            VALUES (?, ?, ?, now(), CASE WHEN ? THEN '-infinity'::timestamptz ELSE now() END, true)""";
    private static final String SET_MAPPING_ACTIVE = """
            UPDATE barcode_push.interface_mapping
            SET active = ?, counts_from = CASE WHEN ? THEN now() ELSE counts_from END
            WHERE interface_key = ? AND mapping_type = ? AND mapping_value = ?""";
    private static final String OLDEST_REJECTED = """
            SELECT min(ticket_created_at) FROM barcode_push.rejected_ticket WHERE interface_key = ?""";

    private static final String PENDING_FILES = """
            SELECT file_id, next_attempt_at IS NULL OR next_attempt_at <= now() AS due
            FROM barcode_push.export_file
            WHERE interface_key = ? AND status = 'PENDING'
            ORDER BY file_id""";
    private static final String SELECT_FILE = """
            SELECT file_id, interface_key, file_name, content, content_type, message_id, subject, row_count, attempts
            FROM barcode_push.export_file
            WHERE file_id = ?""";
    private static final String SELECT_FILE_NAMES = """
            SELECT file_name FROM barcode_push.export_file
            WHERE interface_key = ? AND file_name LIKE ?""";
    private static final String INSERT_FILE = """
            INSERT INTO barcode_push.export_file
                (interface_key, file_name, content, content_type, message_id, subject, row_count, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING')
            RETURNING file_id""";
    private static final String INSERT_FILE_TICKET = """
            INSERT INTO barcode_push.export_file_ticket (interface_key, ticket_id, file_id, ticket_state)
            VALUES (?, ?, ?, ?)""";
    private static final String DELETE_REJECTED = """
            DELETE FROM barcode_push.rejected_ticket WHERE interface_key = ? AND ticket_id = ?""";
    private static final String MARK_SENT = """
            UPDATE barcode_push.export_file
            SET status = 'SENT', attempts = attempts + 1, last_attempt_at = now(), sent_at = now(),
                sent_to = ?, refused_recipients = ?, last_error = NULL
            WHERE file_id = ?""";
    private static final String MARK_SEND_FAILED = """
            UPDATE barcode_push.export_file
            SET attempts = attempts + 1, last_attempt_at = now(), last_error = ?,
                next_attempt_at = now() + make_interval(secs => ?),
                status = CASE WHEN ? OR attempts + 1 >= ? THEN 'FAILED' ELSE 'PENDING' END,
                failed_at = CASE WHEN ? OR attempts + 1 >= ? THEN now() END
            WHERE file_id = ?
            RETURNING status, attempts""";

    private static final String UPSERT_REJECTED = """
            INSERT INTO barcode_push.rejected_ticket
                (interface_key, ticket_id, ticket_created_at, reason, first_rejected_at, last_rejected_at)
            VALUES (?, ?, ?, ?, now(), now())
            ON CONFLICT (interface_key, ticket_id)
            DO UPDATE SET reason = EXCLUDED.reason, last_rejected_at = now()
            RETURNING (xmax = 0) AS inserted""";

    // The old alert_sent_at comes back through the self-join, so the caller knows whether to send a recovery.
    private static final String FINISH_RUN = """
            UPDATE barcode_push.export_interface i
            SET scanned_until = COALESCE(?, i.scanned_until), last_run_finished_at = now(),
                last_run_status = 'SUCCEEDED', last_run_error = NULL, consecutive_failures = 0, alert_sent_at = NULL
            FROM barcode_push.export_interface old
            WHERE i.interface_key = ? AND old.interface_key = i.interface_key
            RETURNING old.alert_sent_at IS NOT NULL""";
    private static final String FAIL_RUN = """
            UPDATE barcode_push.export_interface
            SET last_run_finished_at = now(), last_run_status = 'FAILED', last_run_error = ?,
                consecutive_failures = consecutive_failures + 1
            WHERE interface_key = ?
            RETURNING consecutive_failures, alert_sent_at IS NOT NULL""";
    private static final String MARK_ALERT_SENT = """
            UPDATE barcode_push.export_interface SET alert_sent_at = now() WHERE interface_key = ?""";

    /**
     * Takes the interface's session-level advisory lock on this connection, without waiting.
     *
     * @return false when another run, in this or another instance, holds it
     */
    public boolean tryLock(Connection connection, String interfaceKey) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(TRY_LOCK)) {
            statement.setInt(1, LOCK_NAMESPACE);
            statement.setString(2, interfaceKey);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
    }

    public void unlock(Connection connection, String interfaceKey) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(UNLOCK)) {
            statement.setInt(1, LOCK_NAMESPACE);
            statement.setString(2, interfaceKey);
            statement.executeQuery().close();
        }
    }

    /**
     * Records the interface and its current mappings in one transaction: the first time, its first start; later,
     * when each new mapping was first seen. Start-up calls this for every interface, and so does each run.
     */
    public void register(Connection connection, ExportInterface exportInterface) throws SQLException {
        String key = exportInterface.key();
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            try (PreparedStatement lock = connection.prepareStatement(REGISTER_LOCK)) {
                lock.setInt(1, REGISTER_LOCK_NAMESPACE);
                lock.setString(2, key);
                lock.executeQuery().close();
            }
            boolean newInterface;
            try (PreparedStatement insert = connection.prepareStatement(INSERT_INTERFACE)) {
                insert.setString(1, key);
                newInterface = insert.executeUpdate() == 1;
            }
            syncMappings(connection, exportInterface, newInterface);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(connection, e);
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /**
     * Registers the interface and its current mappings, and returns where this run starts reading the feed.
     */
    public RunWindow startRun(Connection connection, ExportInterface exportInterface, Duration lateCommitWindow)
            throws SQLException {
        String key = exportInterface.key();
        register(connection, exportInterface);

        OffsetDateTime runStartedAt;
        OffsetDateTime firstStartedAt;
        OffsetDateTime scannedUntil;
        try (PreparedStatement start = connection.prepareStatement(START_RUN)) {
            start.setString(1, key);
            try (ResultSet row = start.executeQuery()) {
                row.next();
                runStartedAt = row.getObject(1, OffsetDateTime.class);
                firstStartedAt = row.getObject(2, OffsetDateTime.class);
                scannedUntil = row.getObject(3, OffsetDateTime.class);
            }
        }

        OffsetDateTime dateFrom = exportInterface.dateFrom().orElse(firstStartedAt);
        OffsetDateTime scanFrom = null;
        if (scannedUntil != null) {
            scanFrom = scannedUntil.minus(lateCommitWindow);
            Optional<OffsetDateTime> oldestRejected = oldestRejected(connection, key);
            if (oldestRejected.isPresent() && oldestRejected.get().isBefore(scanFrom)) {
                scanFrom = oldestRejected.get();
            }
        }
        return new RunWindow(runStartedAt, dateFrom, Optional.ofNullable(scanFrom));
    }

    private static void syncMappings(Connection connection, ExportInterface exportInterface, boolean newInterface)
            throws SQLException {
        String key = exportInterface.key();
        Map<String, Boolean> existing = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement(SELECT_MAPPINGS)) {
            select.setString(1, key);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    existing.put(rows.getString(1) + ":" + rows.getString(2), rows.getBoolean(3));
                }
            }
        }
        Map<String, String[]> configured = new LinkedHashMap<>();
        exportInterface.contactNumbers().forEach(value -> configured.put("CONTACT:" + value,
                new String[] {"CONTACT", value}));
        exportInterface.salesChannels().forEach(value -> configured.put("SALES_CHANNEL:" + value,
                new String[] {"SALES_CHANNEL", value}));

        try (PreparedStatement insert = connection.prepareStatement(INSERT_MAPPING);
                PreparedStatement setActive = connection.prepareStatement(SET_MAPPING_ACTIVE)) {
            for (Map.Entry<String, String[]> mapping : configured.entrySet()) {
                Boolean active = existing.get(mapping.getKey());
                if (active == null) {
                    insert.setString(1, key);
                    insert.setString(2, mapping.getValue()[0]);
                    insert.setString(3, mapping.getValue()[1]);
                    insert.setBoolean(4, newInterface);
                    insert.executeUpdate();
                } else if (!active) {
                    updateMapping(setActive, key, mapping.getKey(), true);
                }
            }
            for (Map.Entry<String, Boolean> mapping : existing.entrySet()) {
                if (mapping.getValue() && !configured.containsKey(mapping.getKey())) {
                    updateMapping(setActive, key, mapping.getKey(), false);
                }
            }
        }
    }

    private static void updateMapping(PreparedStatement update, String key, String mapping, boolean active)
            throws SQLException {
        int colon = mapping.indexOf(':');
        update.setBoolean(1, active);
        update.setBoolean(2, active);
        update.setString(3, key);
        update.setString(4, mapping.substring(0, colon));
        update.setString(5, mapping.substring(colon + 1));
        update.executeUpdate();
    }

    private static Optional<OffsetDateTime> oldestRejected(Connection connection, String key) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(OLDEST_REJECTED)) {
            select.setString(1, key);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return Optional.ofNullable(row.getObject(1, OffsetDateTime.class));
            }
        }
    }

    /** Returns the interface's files that were recorded but not accepted yet, oldest first. */
    public List<PendingFile> pendingFiles(Connection connection, String interfaceKey) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(PENDING_FILES)) {
            select.setString(1, interfaceKey);
            List<PendingFile> files = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    files.add(new PendingFile(rows.getLong(1), rows.getBoolean(2)));
                }
            }
            return files;
        }
    }

    public ExportFile loadFile(Connection connection, long fileId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(SELECT_FILE)) {
            select.setLong(1, fileId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new IllegalStateException("Export file " + fileId + " not found");
                }
                return new ExportFile(row.getLong("file_id"), row.getString("interface_key"),
                        row.getString("file_name"), row.getBytes("content"), row.getString("content_type"),
                        row.getString("message_id"), row.getString("subject"), row.getInt("row_count"),
                        row.getInt("attempts"));
            }
        }
    }

    /**
     * Records a file and its tickets in one transaction, before the file is mailed.
     *
     * @param baseName     file name from the interface's pattern; a suffix is added if the interface used it before
     * @param messageIdHost host part of the Message-ID
     * @param subject      subject for the given file name; a function because the name is decided here
     */
    public ExportFile recordFile(Connection connection, String interfaceKey, String baseName, byte[] content,
            String contentType, List<TicketRef> tickets, String messageIdHost,
            java.util.function.Function<String, String> subject) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            String fileName = FileNames.firstFree(baseName, fileNamesLike(connection, interfaceKey, baseName));
            String messageId = "<" + UUID.randomUUID() + "." + interfaceKey + "@" + messageIdHost + ">";
            String fileSubject = subject.apply(fileName);
            long fileId;
            try (PreparedStatement insert = connection.prepareStatement(INSERT_FILE)) {
                insert.setString(1, interfaceKey);
                insert.setString(2, fileName);
                insert.setBytes(3, content);
                insert.setString(4, contentType);
                insert.setString(5, messageId);
                insert.setString(6, fileSubject);
                insert.setInt(7, tickets.size());
                try (ResultSet row = insert.executeQuery()) {
                    row.next();
                    fileId = row.getLong(1);
                }
            }
            try (PreparedStatement insert = connection.prepareStatement(INSERT_FILE_TICKET);
                    PreparedStatement deleteRejected = connection.prepareStatement(DELETE_REJECTED)) {
                for (TicketRef ticket : tickets) {
                    insert.setString(1, interfaceKey);
                    insert.setLong(2, ticket.ticketId());
                    insert.setLong(3, fileId);
                    insert.setString(4, ticket.ticketState());
                    insert.addBatch();
                    deleteRejected.setString(1, interfaceKey);
                    deleteRejected.setLong(2, ticket.ticketId());
                    deleteRejected.addBatch();
                }
                insert.executeBatch();
                deleteRejected.executeBatch();
            }
            connection.commit();
            return new ExportFile(fileId, interfaceKey, fileName, content, contentType, messageId, fileSubject,
                    tickets.size(), 0);
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(connection, e);
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    private static Set<String> fileNamesLike(Connection connection, String interfaceKey, String baseName)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(SELECT_FILE_NAMES)) {
            select.setString(1, interfaceKey);
            select.setString(2, FileNames.likeVariants(baseName));
            Set<String> names = new HashSet<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
            return names;
        }
    }

    /** Marks a file as accepted by the SMTP server. */
    public void markSent(Connection connection, long fileId, String sentTo, String refusedRecipients)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(MARK_SENT)) {
            update.setString(1, sentTo);
            update.setString(2, refusedRecipients);
            update.setLong(3, fileId);
            update.executeUpdate();
        }
    }

    /**
     * Counts a failed attempt. The file stays pending and goes again, unchanged, after {@code retryDelay}, unless
     * the refusal is permanent or this was attempt {@code maxAttempts}: then it is marked FAILED.
     *
     * @return true when the file is now FAILED
     */
    public boolean markSendFailed(Connection connection, long fileId, String error, boolean permanent,
            int maxAttempts, Duration retryDelay) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(MARK_SEND_FAILED)) {
            update.setString(1, error);
            update.setDouble(2, retryDelay.toMillis() / 1000.0);
            update.setBoolean(3, permanent);
            update.setInt(4, maxAttempts);
            update.setBoolean(5, permanent);
            update.setInt(6, maxAttempts);
            update.setLong(7, fileId);
            try (ResultSet row = update.executeQuery()) {
                row.next();
                return "FAILED".equals(row.getString(1));
            }
        }
    }

    /**
     * Records feed rows that cannot be sent.
     *
     * @return the rows rejected for the first time
     */
    public List<RejectedRow> recordRejected(Connection connection, String interfaceKey, List<RejectedRow> rows)
            throws SQLException {
        List<RejectedRow> firstTime = new ArrayList<>();
        try (PreparedStatement upsert = connection.prepareStatement(UPSERT_REJECTED)) {
            for (RejectedRow row : rows) {
                upsert.setString(1, interfaceKey);
                upsert.setLong(2, row.ticketId());
                upsert.setObject(3, row.createdAt());
                upsert.setString(4, row.reason());
                try (ResultSet result = upsert.executeQuery()) {
                    result.next();
                    if (result.getBoolean(1)) {
                        firstTime.add(row);
                    }
                }
            }
        }
        return firstTime;
    }

    /**
     * Records a successful run and clears the failure count.
     *
     * @param scannedUntil the run's start when it read the whole feed, so the next run scans from there minus the
     *                     late-commit window; null when it did not read the feed
     * @return true when an alert about earlier failures was out, so a recovery notice is due
     */
    public boolean finishRun(Connection connection, String interfaceKey, OffsetDateTime scannedUntil)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(FINISH_RUN)) {
            update.setObject(1, scannedUntil == null ? null : scannedUntil.withOffsetSameInstant(ZoneOffset.UTC));
            update.setString(2, interfaceKey);
            try (ResultSet row = update.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }

    /** Records a failed run and returns the interface's failure count with its alert state. */
    public FailureCount failRun(Connection connection, String interfaceKey, String error) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(FAIL_RUN)) {
            update.setString(1, error);
            update.setString(2, interfaceKey);
            try (ResultSet row = update.executeQuery()) {
                if (!row.next()) {
                    return new FailureCount(0, false);
                }
                return new FailureCount(row.getInt(1), row.getBoolean(2));
            }
        }
    }

    public void markAlertSent(Connection connection, String interfaceKey) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(MARK_ALERT_SENT)) {
            update.setString(1, interfaceKey);
            update.executeUpdate();
        }
    }

    private static void rollbackQuietly(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }

    /**
     * Where a run reads the feed from.
     *
     * @param runStartedAt the database's time at the run's start
     * @param dateFrom     tickets created before this are never sent
     * @param scanFrom     lower bound that keeps the scan short: the last full scan minus the late-commit window,
     *                     or empty before the first full scan
     */
    public record RunWindow(OffsetDateTime runStartedAt, OffsetDateTime dateFrom, Optional<OffsetDateTime> scanFrom) {
    }

    /**
     * A file recorded but not accepted yet.
     *
     * @param fileId the file's id
     * @param due    whether its back-off has passed, so this run may send it
     */
    public record PendingFile(long fileId, boolean due) {
    }

    /**
     * The consecutive failed runs of an interface.
     *
     * @param failures     failed runs since the last success
     * @param alertSent    whether the alert for these failures went out already
     */
    public record FailureCount(int failures, boolean alertSent) {
    }

    /**
     * A feed row that cannot be sent, and why.
     *
     * @param ticketId  the feed's ticket id
     * @param createdAt the feed's created_at value
     * @param reason    what is wrong with the row, for the log and the table
     */
    public record RejectedRow(long ticketId, OffsetDateTime createdAt, String reason) {
    }
}
