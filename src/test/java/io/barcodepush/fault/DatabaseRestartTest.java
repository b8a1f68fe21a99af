package io.barcodepush.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.barcodepush.export.ExportRun;
import io.barcodepush.export.ExportRuns;
import io.barcodepush.support.Deliveries;
import io.barcodepush.support.InterfaceYaml;
import io.barcodepush.support.ScriptedSmtpServer;
import io.barcodepush.support.TestApplication;
import io.barcodepush.support.TestDatabase;
import io.barcodepush.support.Tickets;

/**
 * PostgreSQL restarts while a run waits for the SMTP server's reply to a file. The server then accepts the file, but
 * the run's connection is gone, so the run cannot mark it sent and fails with a logged error. The next run gets fresh
 * connections from the pool, sends the file again unchanged, and then sends the newer tickets.
 *
 * <p>The database is a throwaway cluster of this test (see {@link ThrowawayCluster}); the machine's shared server is
 * never restarted.
 */
class DatabaseRestartTest {

    private static final String KEY = "agency";
    private static final int TICKETS_BEFORE_RESTART = 3;
    private static final int TICKETS_AFTER_RESTART = 2;
    /** PostgreSQL's message to sessions that a fast shutdown ends (SQLSTATE 57P01). */
    private static final String TERMINATED_BY_RESTART = "terminating connection due to administrator command";
    private static final String ALIVE_BYPASS_PROPERTY = "com.zaxxer.hikari.aliveBypassWindowMs";
    /** Bound for each wait on the run thread or the SMTP server. */
    private static final long WAIT_SECONDS = 60;

    private final ExecutorService runThread = Executors.newSingleThreadExecutor();
    private ThrowawayCluster cluster;
    private TestDatabase database;
    private ScriptedSmtpServer smtp;
    private TestApplication application;

    @AfterEach
    void stop() throws Exception {
        try {
            if (smtp != null) {
                smtp.releaseDataReplies();
                smtp.close();
            }
            runThread.shutdownNow();
            runThread.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS);
            if (application != null) {
                application.close();
            }
        } finally {
            // Dropping the cluster drops its databases.
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    void runDuringRestartFailsAndNextRunResends() throws Exception {
        cluster = ThrowawayCluster.start();
        database = TestDatabase.createWithTicketing(cluster.adminUrl());
        smtp = new ScriptedSmtpServer();
        // The client must wait longer for the held reply than the restart takes.
        application = startWithCheckedConnections(() -> TestApplication.start(database,
                smtp.port(), List.of(InterfaceYaml.of(KEY).set("contactNumbers", "C-1")),
                Map.of("barcode-push.smtp.read-timeout-ms", Long.toString(TimeUnit.SECONDS.toMillis(WAIT_SECONDS)))));
        Tickets tickets = new Tickets(database);
        List<String> created = new ArrayList<>();
        for (int i = 1; i <= TICKETS_BEFORE_RESTART; i++) {
            created.add(insert(tickets, "B-before-" + i));
        }

        smtp.holdDataReplies();
        ExportRun blockedRun;
        try (CapturedLog errors = CapturedLog.of(ExportRuns.class, Level.ERROR)) {
            Future<ExportRun> blocked = runThread.submit(() -> application.run(KEY));
            assertThat(smtp.awaitHeldMessage(WAIT_SECONDS, TimeUnit.SECONDS))
                    .as("the run reached the end of the mail's data").isTrue();
            assertThat(database.queryValue("SELECT status FROM barcode_push.export_file"))
                    .as("status of the file while its reply is held").isEqualTo("PENDING");

            cluster.restart();
            for (int i = 1; i <= TICKETS_AFTER_RESTART; i++) {
                created.add(insert(tickets, "B-after-" + i));
            }
            smtp.releaseDataReplies();
            blockedRun = blocked.get(WAIT_SECONDS, TimeUnit.SECONDS);

            assertThat(blockedRun.getOutcome()).as("outcome of the run that spanned the restart")
                    .isEqualTo(ExportRun.Outcome.FAILED);
            assertThat(blockedRun.getError()).as("error of the run that spanned the restart")
                    .contains(TERMINATED_BY_RESTART);
            assertThat(errors.lines()).as("errors logged by the run that spanned the restart")
                    .anySatisfy(line -> assertThat(line).startsWith("ERROR Run of interface " + KEY + " failed: ")
                            .contains(blockedRun.getError()));
        }
        System.out.println("DatabaseRestartTest: error of the run that spanned the restart: "
                + blockedRun.getError());
        assertThat(smtp.accepted()).as("mails the server accepted during the restart").hasSize(1);
        assertThat(database.queryValue("SELECT status FROM barcode_push.export_file"))
                .as("status of the accepted file after the failed run").isEqualTo("PENDING");
        assertThat(database.queryValue("SELECT last_run_status FROM barcode_push.export_interface"))
                .as("failed run recorded on a fresh connection").isEqualTo("FAILED");

        ExportRun next = application.run(KEY);

        assertThat(next.getOutcome()).as("outcome of the run after the restart; error: %s", next.getError())
                .isEqualTo(ExportRun.Outcome.SUCCEEDED);
        List<Deliveries.ReceivedFile> received = Deliveries.parseAccepted(smtp.accepted());
        Deliveries.Counts counts = Deliveries.count(created, received);
        System.out.println("DatabaseRestartTest counts: " + counts.summary());
        int total = TICKETS_BEFORE_RESTART + TICKETS_AFTER_RESTART;
        counts.assertExactly(total, total, 0, TICKETS_BEFORE_RESTART, 1);

        assertThat(received).as("mails in arrival order").hasSize(3);
        assertThat(received.get(1).messageId()).as("Message-ID of the re-send")
                .isEqualTo(received.get(0).messageId());
        assertThat(received.get(2).barcodes()).as("barcodes of the file after the re-send")
                .containsExactly("B-after-1", "B-after-2");
        assertThat(database.query("SELECT status FROM barcode_push.export_file ORDER BY file_id"))
                .as("files after the next run")
                .containsExactly(Map.of("status", "SENT"), Map.of("status", "SENT"));
        assertThat(database.queryValue("SELECT last_run_status FROM barcode_push.export_interface"))
                .as("status of the last run").isEqualTo("SUCCEEDED");
    }

    /**
     * Starts the application with a pool that checks every connection before handing it out.
     *
     * <p>HikariCP 7.1 hands out a connection used within the last 500 ms without checking it (system property
     * {@value #ALIVE_BYPASS_PROPERTY}, read when a pool is created). With the default schedule, runs are minutes
     * apart and the pool checks their connections. This test starts the next run at once, so it sets the window to
     * zero to get the same checks. With the default window, back-to-back runs right after a restart can fail one by
     * one on connections that the restart closed, until the pool has dropped them.
     */
    private static TestApplication startWithCheckedConnections(Supplier<TestApplication> start) {
        String previous = System.setProperty(ALIVE_BYPASS_PROPERTY, "0");
        try {
            return start.get();
        } finally {
            if (previous == null) {
                System.clearProperty(ALIVE_BYPASS_PROPERTY);
            } else {
                System.setProperty(ALIVE_BYPASS_PROPERTY, previous);
            }
        }
    }

    private static String insert(Tickets tickets, String barCode) {
        tickets.sale("C-1", null).barCode(barCode).insert();
        return barCode;
    }
}
