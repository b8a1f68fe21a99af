package io.barcodepush.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The product's record of export files, the tickets in them and the rows it could not send, accessed with plain
 * JDBC.
 *
 * <p>Every method works on the connection of the run that holds the interface's lock, so a run never needs a
 * second pooled connection for its bookkeeping.
 */
public class ExportLedger {

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

    static void rollbackQuietly(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
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
     * A feed row that cannot be sent, and why.
     *
     * @param ticketId  the feed's ticket id
     * @param createdAt the feed's created_at value
     * @param reason    what is wrong with the row, for the log and the table
     */
    public record RejectedRow(long ticketId, OffsetDateTime createdAt, String reason) {
    }
}
