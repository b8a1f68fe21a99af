package io.barcodepush.export;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.barcodepush.ledger.ExportFile;
import io.barcodepush.ledger.ExportLedger;
import io.barcodepush.alert.Alerts;
import io.barcodepush.db.RunConnections;
import io.barcodepush.ledger.InterfaceLedger;
import io.barcodepush.ledger.InterfaceLedger.FailureCount;
import io.barcodepush.ledger.ExportLedger.PendingFile;
import io.barcodepush.ledger.ExportLedger.RejectedRow;
import io.barcodepush.ledger.FileNames;
import io.barcodepush.ledger.TicketRef;
import io.barcodepush.mail.ExportMail;
import io.barcodepush.mail.SmtpFailures;

/**
 * The steps of an export run that the {@code export-run} route calls, in route order.
 */
public class ExportRuns {

    /** Header naming the interface to run; set by the trigger route or by the caller of an immediate run. */
    public static final String INTERFACE_KEY_HEADER = "interfaceKey";
    /** Header set to true for a run an operator asked for; such a run ignores the back-off of pending files. */
    public static final String IMMEDIATE_HEADER = "immediateRun";
    /** Exchange property holding the rows of the current page that cannot be sent. */
    public static final String UNUSABLE_ROWS_PROPERTY = "unusableRows";
    /** Exchange property holding the tickets of the current page that go in the file. */
    public static final String PAGE_TICKETS_PROPERTY = "pageTickets";

    static final String CONTENT_TYPE = "text/csv; charset=UTF-8";
    private static final Logger LOG = LoggerFactory.getLogger(ExportRuns.class);
    /** Rejected rows logged one by one per run; the rest are counted in one line. */
    private static final int REJECTED_ROWS_LOGGED = 10;

    private final DataSource dataSource;
    private final ExportLedger ledger;
    private final InterfaceLedger interfaces;
    private final InterfaceCatalog catalog;
    private final ExportMail mail;
    private final Duration lateCommitWindow;
    private final RetryPolicy retry;
    private final Alerts alerts;
    private final FaultInjection fault;
    /** Interfaces whose end was logged by this instance, so the line appears once and not every run. */
    private final Set<String> endedInterfaces = ConcurrentHashMap.newKeySet();

    public ExportRuns(DataSource dataSource, ExportLedger ledger, InterfaceLedger interfaces, InterfaceCatalog catalog,
            ExportMail mail, Duration lateCommitWindow, RetryPolicy retry, Alerts alerts, FaultInjection fault) {
        this.dataSource = dataSource;
        this.ledger = ledger;
        this.interfaces = interfaces;
        this.catalog = catalog;
        this.mail = mail;
        this.lateCommitWindow = lateCommitWindow;
        this.retry = retry;
        this.alerts = alerts;
        this.fault = fault;
    }

    /**
     * Takes the interface's lock on a connection held for the whole run, and records the run's start.
     * A run that finds the lock taken ends as busy; that is not a failure.
     */
    public void begin(Exchange exchange) throws SQLException {
        String key = exchange.getMessage().getHeader(INTERFACE_KEY_HEADER, String.class);
        boolean immediate = Boolean.TRUE.equals(exchange.getMessage().getHeader(IMMEDIATE_HEADER, Boolean.class));
        ExportRun run = new ExportRun(catalog.require(key), immediate);
        exchange.setProperty(ExportRun.PROPERTY, run);

        Connection connection = dataSource.getConnection();
        run.attach(connection, null);
        RunConnections.bind(connection);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                release(run);
            }
        });

        if (!interfaces.tryLock(connection, key)) {
            run.end(ExportRun.Outcome.BUSY, null);
            LOG.info("Interface {} is busy: another run holds its lock, so this run does nothing", key);
            return;
        }
        run.lockAcquired();
        run.attach(connection, interfaces.startRun(connection, run.getExportInterface(), lateCommitWindow));
        LOG.debug("Run of interface {} started; scanning the feed from {}", key, run.window().scanFrom());
    }

    /**
     * Returns the ids of files recorded earlier, not accepted yet and due for another attempt; they go before any
     * new ticket. While a pending file waits for its back-off, the run leaves new tickets for a later run.
     */
    public List<Long> pendingFileIds(Exchange exchange) throws SQLException {
        ExportRun run = run(exchange);
        List<PendingFile> pending = ledger.pendingFiles(run.connection(), run.getInterfaceKey());
        List<Long> due = pending.stream().filter(file -> file.due() || run.isImmediate()).map(PendingFile::fileId)
                .toList();
        if (hasEnded(run) && pending.isEmpty()) {
            run.setMorePages(false);
            if (endedInterfaces.add(run.getInterfaceKey())) {
                LOG.info("Interface {} has ended: a full scan started after its end time {} plus the late-commit"
                        + " window and no file is pending, so its runs no longer read the feed", run.getInterfaceKey(),
                        run.getExportInterface().endTime().get());
            }
            return due;
        }
        if (due.size() < pending.size()) {
            run.setMorePages(false);
            run.deferNewTickets();
            LOG.info("Interface {}: {} pending files wait for their next attempt; new tickets go after them",
                    run.getInterfaceKey(), pending.size() - due.size());
        }
        return due;
    }

    /** Loads the pending file with the id in the body into {@value ExportMail#FILE_PROPERTY}. */
    public void loadPendingFile(Exchange exchange) throws SQLException {
        ExportRun run = run(exchange);
        long fileId = exchange.getMessage().getBody(Long.class);
        ExportFile file = ledger.loadFile(run.connection(), fileId);
        exchange.setProperty(ExportMail.FILE_PROPERTY, file);
        LOG.info("Interface {}: sending file {} again ({} rows, Message-ID {}, {} earlier attempts)",
                run.getInterfaceKey(), file.fileName(), file.rowCount(), file.messageId(), file.attempts());
    }

    /** Returns the named parameters of the next page of the new-tickets query. */
    public Map<String, Object> nextPageQuery(Exchange exchange) {
        ExportRun run = run(exchange);
        ExportInterface exportInterface = run.getExportInterface();
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("interfaceKey", exportInterface.key());
        // One window further back than needed, so a ticket that committed later than the window is still found
        // and reported by acceptPage instead of being missed without a trace.
        parameters.put("scanFrom", run.window().scanFrom().map(from -> from.minus(lateCommitWindow)).orElse(null));
        parameters.put("dateFrom", run.window().dateFrom().withOffsetSameInstant(ZoneOffset.UTC));
        parameters.put("endTime", exportInterface.endTime().map(t -> t.withOffsetSameInstant(ZoneOffset.UTC))
                .orElse(null));
        parameters.put("afterCreatedAt", run.afterCreatedAt());
        parameters.put("afterTicketId", run.afterTicketId());
        parameters.put("pageSize", exportInterface.batchSize());
        return parameters;
    }

    /**
     * Advances the run past the page in the body and sorts its rows: the rows that can be sent stay in the body,
     * formatted for the file; the others go to {@value #UNUSABLE_ROWS_PROPERTY}.
     */
    public void acceptPage(Exchange exchange) {
        ExportRun run = run(exchange);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = exchange.getMessage().getBody(List.class);
        run.setMorePages(rows.size() == run.getExportInterface().batchSize());
        if (!rows.isEmpty()) {
            Map<String, Object> last = rows.get(rows.size() - 1);
            run.advanceCursor(TicketRows.createdAt(last), TicketRows.ticketId(last));
        }

        List<Map<String, Object>> usable = new ArrayList<>();
        List<TicketRef> tickets = new ArrayList<>();
        List<RejectedRow> unusable = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            long ticketId = TicketRows.ticketId(row);
            OffsetDateTime createdAt = TicketRows.createdAt(row);
            String reason = TicketRows.unusableReason(row);
            if (reason != null) {
                unusable.add(new RejectedRow(ticketId, createdAt, reason));
                continue;
            }
            reportIfCommittedTooLate(run, ticketId, createdAt);
            TicketRows.formatOrderDate(row, run.getExportInterface().timeZone());
            usable.add(row);
            tickets.add(new TicketRef(ticketId, TicketRows.ticketState(row), createdAt));
        }
        exchange.getMessage().setBody(usable);
        exchange.setProperty(PAGE_TICKETS_PROPERTY, tickets);
        exchange.setProperty(UNUSABLE_ROWS_PROPERTY, unusable);
    }

    /** Logs at ERROR a ticket older than the scan's nominal start, which committed later than the window. */
    private void reportIfCommittedTooLate(ExportRun run, long ticketId, OffsetDateTime createdAt) {
        if (run.window().scanFrom().isPresent() && createdAt.isBefore(run.window().scanFrom().get())) {
            LOG.error("Interface {}: ticket {} was created at {} but committed more than the late-commit window"
                    + " ({}) later. It is sent now; raise barcode-push.late-commit-window above the longest"
                    + " ticket transaction, or tickets that commit even later can be missed.",
                    run.getInterfaceKey(), ticketId, createdAt, lateCommitWindow);
        }
    }

    /**
     * Records the rows in {@value #UNUSABLE_ROWS_PROPERTY}; they are read again by later runs, so fixing the data
     * sends them. Each row is logged at WARN the first time it is rejected.
     */
    public void rejectUnusableRows(Exchange exchange) throws SQLException {
        ExportRun run = run(exchange);
        @SuppressWarnings("unchecked")
        List<RejectedRow> rows = exchange.getProperty(UNUSABLE_ROWS_PROPERTY, List.class);
        List<RejectedRow> firstTime = ledger.recordRejected(run.connection(), run.getInterfaceKey(), rows);
        int logged = 0;
        for (RejectedRow row : firstTime) {
            if (logged++ < REJECTED_ROWS_LOGGED) {
                LOG.warn("Interface {}: ticket {} is not sent because it has {}. Fix the row in the ticket feed;"
                        + " later runs send it then.", run.getInterfaceKey(), row.ticketId(), row.reason());
            }
        }
        if (firstTime.size() > REJECTED_ROWS_LOGGED) {
            LOG.warn("Interface {}: {} more tickets are not sent because of unusable rows; see table"
                    + " barcode_push.rejected_ticket", run.getInterfaceKey(), firstTime.size() - REJECTED_ROWS_LOGGED);
        }
        run.rowsRejected(rows.size());
    }

    /** Records the CSV bytes in the body as a new export file with the page's tickets, in one transaction. */
    public void recordFile(Exchange exchange) throws SQLException, InvalidPayloadException {
        ExportRun run = run(exchange);
        ExportInterface exportInterface = run.getExportInterface();
        byte[] content = exchange.getMessage().getMandatoryBody(byte[].class);
        @SuppressWarnings("unchecked")
        List<TicketRef> tickets = exchange.getProperty(PAGE_TICKETS_PROPERTY, List.class);
        String baseName = FileNames.format(exportInterface.fileNamePattern(), exportInterface.timeZone(),
                run.window().runStartedAt().toInstant());
        ExportFile file = ledger.recordFile(run.connection(), exportInterface.key(), baseName, content, CONTENT_TYPE,
                tickets, mail.messageIdHost(), name -> mail.subject(exportInterface, tickets.size(), name));
        exchange.setProperty(ExportMail.FILE_PROPERTY, file);
        LOG.debug("Interface {}: recorded file {} with {} rows", exportInterface.key(), file.fileName(),
                file.rowCount());
        fault.at(FaultInjection.HALT_AFTER_RECORD, exportInterface.key());
    }

    /** Sets the headers, text and attachment of the mail for the file in {@value ExportMail#FILE_PROPERTY}. */
    public void prepareMail(Exchange exchange) {
        mail.prepare(exchange, run(exchange).getExportInterface());
    }

    /** Marks the file in {@value ExportMail#FILE_PROPERTY} as accepted by the SMTP server. */
    public void markSent(Exchange exchange) throws SQLException {
        ExportRun run = run(exchange);
        ExportFile file = exchange.getProperty(ExportMail.FILE_PROPERTY, ExportFile.class);
        String refused = exchange.getProperty(ExportMail.REFUSED_PROPERTY, String.class);
        String sentTo = String.join(", ", run.getExportInterface().recipients());
        fault.at(FaultInjection.HALT_AFTER_ACCEPT, run.getInterfaceKey());
        ledger.markSent(run.connection(), file.fileId(), sentTo, refused);
        run.fileSent(file.fileName(), file.rowCount());
        if (refused != null && !refused.isEmpty()) {
            LOG.warn("Interface {}: the SMTP server refused recipients {} of file {} and accepted the others;"
                    + " the file counts as sent. Check these addresses.", run.getInterfaceKey(), refused,
                    file.fileName());
        }
        LOG.info("Interface {}: sent file {} ({} rows, {} bytes, Message-ID {}) to {}", run.getInterfaceKey(),
                file.fileName(), file.rowCount(), file.content().length, file.messageId(), sentTo);
    }

    /**
     * Handles a failed send. A mail the server accepted for some recipients counts as sent, with the refused ones
     * noted in {@value ExportMail#REFUSED_PROPERTY}. Any other failure is counted on the file and rethrown, so the
     * run fails and the file stays pending.
     */
    public void handleSendFailure(Exchange exchange) throws Exception {
        ExportRun run = run(exchange);
        ExportFile file = exchange.getProperty(ExportMail.FILE_PROPERTY, ExportFile.class);
        Throwable failure = caught(exchange);
        String refused = mail.refusedRecipientsOfPartialDelivery(failure);
        if (refused != null) {
            exchange.setProperty(ExportMail.REFUSED_PROPERTY, refused);
            return;
        }
        recordFailedAttempt(run, file, failure);

        if (failure instanceof Exception exception) {
            throw exception;
        }
        throw new IllegalStateException(failure);
    }

    /** Counts a failed attempt on the file, marking it FAILED when the refusal is permanent or the last allowed. */
    private void recordFailedAttempt(ExportRun run, ExportFile file, Throwable failure) {
        int attempts = file.attempts() + 1;
        String error = describe(failure);
        boolean permanent = SmtpFailures.isPermanent(failure);
        // Only refusals count toward the limit. A server that cannot be reached or rejects the login is fixed
        // outside the product, and its files keep waiting for it instead of failing after a long outage.
        int limit = SmtpFailures.replyCode(failure) > 0 ? retry.maxAttempts() : Integer.MAX_VALUE;
        Duration delay = retry.delayAfter(attempts);

        boolean failed = false;
        try {
            failed = ledger.markSendFailed(run.connection(), file.fileId(), error, permanent, limit, delay);
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
        if (failed) {
            alerts.fileFailed(run.getInterfaceKey(), file.fileName(), attempts, error);
        } else {
            LOG.warn("Interface {}: file {} was not accepted by the SMTP server (attempt {}): {}. It stays pending"
                    + " and is sent again, unchanged, in {} or later.", run.getInterfaceKey(), file.fileName(),
                    attempts, error, delay);
        }
    }

    /** Records a run that read the whole feed and sent every file. */
    public void finish(Exchange exchange) throws SQLException {
        ExportRun run = run(exchange);
        if (run.newTicketsDeferred()) {
            // Not a success: the failure count and any alert stay until the pending files are accepted.
            run.end(ExportRun.Outcome.WAITING, null);
            LOG.info("Interface {}: run ended waiting for pending files, files sent: {}, tickets sent: {}, in {} ms",
                    run.getInterfaceKey(), run.getFilesSent().size(), run.getTicketsSent(), run.elapsedMillis());
            return;
        }
        boolean alertWasOut = interfaces.finishRun(run.connection(), run.getInterfaceKey(),
                run.window().runStartedAt());
        run.end(ExportRun.Outcome.SUCCEEDED, null);
        if (alertWasOut) {
            alerts.recovered(run.getInterfaceKey());
        }
        if (run.getFilesSent().isEmpty()) {
            LOG.info("Interface {}: nothing new to send ({} ms)", run.getInterfaceKey(), run.elapsedMillis());
        } else {
            LOG.info("Interface {}: run finished, files sent: {}, tickets sent: {}, in {} ms", run.getInterfaceKey(),
                    run.getFilesSent().size(), run.getTicketsSent(), run.elapsedMillis());
        }
    }

    /**
     * Records a failed run and logs it at ERROR. Its pending files and unsent tickets stay in the ledger and the
     * feed, so the next run takes them up.
     */
    public void fail(Exchange exchange) {
        Throwable failure = caught(exchange);
        ExportRun run = exchange.getProperty(ExportRun.PROPERTY, ExportRun.class);
        String key = run != null ? run.getInterfaceKey()
                : exchange.getMessage().getHeader(INTERFACE_KEY_HEADER, String.class);
        String error = describe(failure);
        if (run != null) {
            run.end(ExportRun.Outcome.FAILED, error);
        }
        LOG.error("Run of interface {} failed: {}. Tickets not yet accepted by the SMTP server stay pending"
                + " and the next run retries them.", key, error, failure);
        if (run != null && run.connection() != null && run.window() != null) {
            try {
                recordFailure(run.connection(), key, error);
            } catch (SQLException onRunConnection) {
                // The run's connection may be what failed (a database restart); a fresh one can still record it.
                try (Connection fresh = dataSource.getConnection()) {
                    recordFailure(fresh, key, error);
                } catch (SQLException e) {
                    LOG.warn("Interface {}: the failed run could not be recorded: {}", key, e.getMessage());
                }
            }
        }
    }

    private void recordFailure(Connection connection, String key, String error) throws SQLException {
        FailureCount count = interfaces.failRun(connection, key, error);
        if (count.failures() >= alerts.afterFailures() && !count.alertSent()) {
            alerts.interfaceFailing(key, count.failures(), error);
            interfaces.markAlertSent(connection, key);
        }
    }

    /**
     * Returns whether nothing created before the interface's end time can still arrive, because a full scan started
     * after the end time plus the late-commit window.
     */
    private static boolean hasEnded(ExportRun run) {
        return run.getExportInterface().endTime()
                .flatMap(end -> run.window().scanFrom().map(scanFrom -> scanFrom.isAfter(end)))
                .orElse(false);
    }

    private static ExportRun run(Exchange exchange) {
        return exchange.getProperty(ExportRun.PROPERTY, ExportRun.class);
    }

    private static Throwable caught(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return caught != null ? caught : exchange.getException();
    }

    /** Describes the failure in one line: the failure, a TLS failure in its causes if any, and the root cause. */
    static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown error";
        }
        StringBuilder text = new StringBuilder(failure.getClass().getSimpleName() + ": " + failure.getMessage());
        Throwable root = failure;
        Throwable tls = null;
        // Bounded, because a cause chain can form a cycle.
        for (int depth = 0; depth < 20 && root.getCause() != null && root.getCause() != root; depth++) {
            root = root.getCause();
            if (tls == null && root instanceof javax.net.ssl.SSLException) {
                tls = root;
            }
        }
        if (tls != null && tls != root) {
            text.append(" (TLS: ").append(tls.getMessage()).append(')');
        }
        if (root != failure) {
            text.append(" (cause: ").append(root.getClass().getSimpleName()).append(": ").append(root.getMessage())
                    .append(')');
        }
        return text.toString().replace('\r', ' ').replace('\n', ' ');
    }

    private void release(ExportRun run) {
        RunConnections.unbind();
        Connection connection = run.connection();
        if (connection == null) {
            return;
        }
        try {
            if (run.lockHeld()) {
                interfaces.unlock(connection, run.getInterfaceKey());
            }
            connection.close();
        } catch (SQLException e) {
            LOG.warn("Interface {}: could not release the run's lock cleanly ({}); dropping its connection so the"
                    + " database releases it", run.getInterfaceKey(), e.getMessage());
            if (dataSource instanceof HikariDataSource hikari) {
                hikari.evictConnection(connection);
            }
        }
    }
}
