package io.barcodepush.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.util.List;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.barcodepush.support.Deliveries;
import io.barcodepush.support.InterfaceYaml;
import io.barcodepush.support.Mails;
import io.barcodepush.support.TestApplication;
import io.barcodepush.support.TestDatabase;
import io.barcodepush.support.Tickets;

/**
 * A ticket whose transaction commits after a run started is sent by a later run.
 */
class LateCommitTest {

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private TestDatabase database;
    private TestApplication application;

    @BeforeEach
    void createDatabase() {
        database = TestDatabase.createWithTicketing();
    }

    @AfterEach
    void stop() {
        if (application != null) {
            application.close();
        }
        database.close();
    }

    @Test
    void ticketCommittedAfterRunArrivesInNextRun() throws Exception {
        Tickets tickets = new Tickets(database);
        application = TestApplication.start(database, MAIL.getSmtp().getPort(),
                List.of(InterfaceYaml.of("agency").set("contactNumbers", "C-1")));
        tickets.sale("C-1", null).barCode("B-early").insert();

        try (Connection slowTransaction = database.connect()) {
            slowTransaction.setAutoCommit(false);
            // created_at is the transaction's start, so this ticket is older than the first run's start.
            tickets.sale("C-1", null).barCode("B-late").insert(slowTransaction);
            tickets.sale("C-1", null).barCode("B-between").insert();

            application.run("agency");
            slowTransaction.commit();
        }
        application.run("agency");
        application.run("agency");

        var mails = MAIL.getReceivedMessages();
        assertThat(mails).hasSize(2);
        assertThat(Mails.attachmentText(mails[0])).contains("B-early;", "B-between;").doesNotContain("B-late;");
        assertThat(Mails.attachmentText(mails[1])).contains("B-late;").doesNotContain("B-early;", "B-between;");
        assertThat(database.count("SELECT count(*) FROM barcode_push.export_file_ticket")).isEqualTo(3);
        Deliveries.Counts counts = Deliveries.count(List.of("B-early", "B-late", "B-between"),
                Deliveries.parse(mails));
        System.out.println("LateCommitTest counts: " + counts.summary());
        counts.assertExactly(3, 3, 0, 0, 0);
    }

    @Test
    void ticketLaterThanWindowIsStillSent() throws Exception {
        Tickets tickets = new Tickets(database);
        application = TestApplication.start(database, MAIL.getSmtp().getPort(),
                List.of(InterfaceYaml.of("agency").set("contactNumbers", "C-1")),
                java.util.Map.of("barcode-push.late-commit-window", "PT1M"));
        application.run("agency");
        Object scannedUntil = database.queryValue("SELECT scanned_until FROM barcode_push.export_interface");

        // As if its transaction had started 90 seconds before the last run and committed only now.
        long late = tickets.sale("C-1", null).barCode("B-too-late").insert();
        database.execute("UPDATE ticketing.ticket SET created_at = CAST(? AS timestamptz) - interval '90 seconds' WHERE ticket_id = ?",
                scannedUntil, late);
        application.run("agency");

        assertThat(MAIL.getReceivedMessages()).hasSize(1);
        assertThat(Mails.attachmentText(MAIL.getReceivedMessages()[0])).contains("B-too-late;");
    }

    @Test
    void idleRunScansOnlyRecentTickets() {
        application = TestApplication.start(database, MAIL.getSmtp().getPort(),
                List.of(InterfaceYaml.of("agency").set("contactNumbers", "C-1")),
                java.util.Map.of("barcode-push.late-commit-window", "PT1M"));
        application.run("agency");
        Object scannedUntil = database.queryValue("SELECT scanned_until FROM barcode_push.export_interface");

        // A ticket older than twice the window before the last full scan is outside the scan, as every old ticket
        // is, so an idle run's cost does not grow with the history.
        long old = new Tickets(database).sale("C-1", null).barCode("B-old").insert();
        database.execute("UPDATE ticketing.ticket SET created_at = CAST(? AS timestamptz) - interval '3 minutes' WHERE ticket_id = ?",
                scannedUntil, old);
        application.run("agency");

        assertThat(MAIL.getReceivedMessages()).isEmpty();
    }
}
