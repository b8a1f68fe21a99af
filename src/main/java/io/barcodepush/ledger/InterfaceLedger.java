package io.barcodepush.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.barcodepush.export.ExportInterface;

/**
 * The product's record of each interface: its first start, its mappings, its run lock and the outcome of its runs.
 */
public class InterfaceLedger {

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
            ExportLedger.rollbackQuietly(connection, e);
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

    /**
     * The part of the feed a run reads.
     *
     * @param runStartedAt the database's time at the run's start
     * @param dateFrom     tickets created before this are never sent
     * @param scanFrom     lower bound that keeps the scan short: the last full scan minus the late-commit window,
     *                     or empty before the first full scan
     */
    public record RunWindow(OffsetDateTime runStartedAt, OffsetDateTime dateFrom, Optional<OffsetDateTime> scanFrom) {
    }

    /**
     * The consecutive failed runs of an interface.
     *
     * @param failures     failed runs since the last success
     * @param alertSent    whether the alert for these failures went out already
     */
    public record FailureCount(int failures, boolean alertSent) {
    }
}
