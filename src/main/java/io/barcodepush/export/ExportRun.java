package io.barcodepush.export;

import java.sql.Connection;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import io.barcodepush.ledger.InterfaceLedger.RunWindow;

/**
 * The state of one run of one interface, carried in the exchange property {@value #PROPERTY}.
 */
public class ExportRun {

    public static final String PROPERTY = "exportRun";

    /**
     * How a run ended. WAITING means that pending files wait for their back-off, so the run sent what was due and
     * left the new tickets for later. It is neither a success nor a failure.
     */
    public enum Outcome { RUNNING, SUCCEEDED, WAITING, FAILED, BUSY }

    private final ExportInterface exportInterface;
    private final boolean immediate;
    private final long startNanos = System.nanoTime();
    private Connection connection;
    private RunWindow window;
    private OffsetDateTime afterCreatedAt;
    private long afterTicketId;
    private boolean lockHeld;
    private boolean morePages = true;
    private boolean newTicketsDeferred;
    private Outcome outcome = Outcome.RUNNING;
    private String error;
    private final List<String> filesSent = new ArrayList<>();
    private int ticketsSent;
    private int rowsRejected;

    ExportRun(ExportInterface exportInterface, boolean immediate) {
        this.exportInterface = exportInterface;
        this.immediate = immediate;
    }

    /** Returns whether an operator requested this run, so pending files go now whatever their back-off. */
    public boolean isImmediate() {
        return immediate;
    }

    public ExportInterface getExportInterface() {
        return exportInterface;
    }

    public String getInterfaceKey() {
        return exportInterface.key();
    }

    /** Returns the connection that has the interface's lock and does the run's bookkeeping. */
    Connection connection() {
        return connection;
    }

    void attach(Connection connection, RunWindow window) {
        this.connection = connection;
        this.window = window;
    }

    boolean lockHeld() {
        return lockHeld;
    }

    void lockAcquired() {
        this.lockHeld = true;
    }

    RunWindow window() {
        return window;
    }

    OffsetDateTime afterCreatedAt() {
        return afterCreatedAt;
    }

    long afterTicketId() {
        return afterTicketId;
    }

    void advanceCursor(OffsetDateTime createdAt, long ticketId) {
        this.afterCreatedAt = createdAt;
        this.afterTicketId = ticketId;
    }

    /** Returns whether the last page was full, so the feed may contain more new tickets. */
    public boolean isMorePages() {
        return morePages;
    }

    void setMorePages(boolean morePages) {
        this.morePages = morePages;
    }

    void deferNewTickets() {
        this.newTicketsDeferred = true;
    }

    /** Returns whether the run left new tickets for a later run because pending files wait for their back-off. */
    boolean newTicketsDeferred() {
        return newTicketsDeferred;
    }

    public boolean isBusy() {
        return outcome == Outcome.BUSY;
    }

    public Outcome getOutcome() {
        return outcome;
    }

    void end(Outcome outcome, String error) {
        this.outcome = outcome;
        this.error = error;
    }

    public String getError() {
        return error;
    }

    void fileSent(String fileName, int rows) {
        filesSent.add(fileName);
        ticketsSent += rows;
    }

    public List<String> getFilesSent() {
        return List.copyOf(filesSent);
    }

    public int getTicketsSent() {
        return ticketsSent;
    }

    void rowsRejected(int count) {
        rowsRejected += count;
    }

    public int getRowsRejected() {
        return rowsRejected;
    }

    long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
