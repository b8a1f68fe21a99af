package io.barcodepush.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.barcodepush.export.ExportRun;
import io.barcodepush.support.Deliveries;
import io.barcodepush.support.FreePort;
import io.barcodepush.support.InterfaceYaml;
import io.barcodepush.support.TestApplication;
import io.barcodepush.support.TestDatabase;
import io.barcodepush.support.Tickets;

/**
 * Nothing listens on the SMTP port for three consecutive runs, then GreenMail starts on that port: every ticket
 * arrives exactly once.
 *
 * <p>The back-off between attempts is zero here (the test application's default), so every run tries the pending
 * file again. With the shipped back-off, the runs inside the back-off leave the file and the new tickets alone.
 */
class SmtpDownThreeRunsTest {

    private static final String KEY = "agency";
    private static final int DOWN_RUNS = 3;
    private static final int TICKETS_PER_DOWN_RUN = 4;
    private static final int TICKETS_AFTER_OUTAGE = 2;

    private TestDatabase database;
    private Tickets tickets;
    private TestApplication application;
    private GreenMail greenMail;

    @BeforeEach
    void createDatabase() {
        database = TestDatabase.createWithTicketing();
        tickets = new Tickets(database);
    }

    @AfterEach
    void stop() {
        try {
            if (greenMail != null) {
                greenMail.stop();
            }
            if (application != null) {
                application.close();
            }
        } finally {
            database.close();
        }
    }

    @Test
    void everyTicketArrivesOnceAfterOutage() throws Exception {
        int port = FreePort.find();
        application = TestApplication.start(database, port,
                List.of(InterfaceYaml.of(KEY).set("contactNumbers", "C-1")));
        List<String> created = new ArrayList<>();

        for (int run = 1; run <= DOWN_RUNS; run++) {
            for (int i = 1; i <= TICKETS_PER_DOWN_RUN; i++) {
                created.add(insert("B-down" + run + "-" + i));
            }

            ExportRun failed = application.run(KEY);

            assertThat(failed.getOutcome()).as("outcome of run %d with nothing on port %d", run, port)
                    .isEqualTo(ExportRun.Outcome.FAILED);
            assertThat(failed.getError()).as("error of run %d", run).contains("Connection refused");
        }

        // The first run recorded one file. The next two tried it again and left the new tickets for later.
        List<Map<String, Object>> pending = database.query(
                "SELECT file_id, status, attempts, row_count, message_id, content FROM barcode_push.export_file");
        assertThat(pending).as("files recorded while SMTP was down").hasSize(1);
        assertThat(pending.get(0).get("status")).as("status of the file").isEqualTo("PENDING");
        assertThat(pending.get(0).get("attempts")).as("attempts of the file").isEqualTo(DOWN_RUNS);
        assertThat(pending.get(0).get("row_count")).as("rows of the file").isEqualTo(TICKETS_PER_DOWN_RUN);
        assertThat(database.queryValue("SELECT consecutive_failures FROM barcode_push.export_interface"))
                .as("consecutive failed runs").isEqualTo(DOWN_RUNS);

        for (int i = 1; i <= TICKETS_AFTER_OUTAGE; i++) {
            created.add(insert("B-back-" + i));
        }
        greenMail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        greenMail.start();

        ExportRun recovered = application.run(KEY);
        ExportRun idle = application.run(KEY);

        assertThat(recovered.getOutcome()).as("outcome of the run after the outage")
                .isEqualTo(ExportRun.Outcome.SUCCEEDED);
        assertThat(idle.getOutcome()).as("outcome of the idle run").isEqualTo(ExportRun.Outcome.SUCCEEDED);
        assertThat(idle.getFilesSent()).as("files of the idle run").isEmpty();

        MimeMessage[] mails = greenMail.getReceivedMessages();
        List<Deliveries.ReceivedFile> received = Deliveries.parse(mails);
        Deliveries.Counts counts = Deliveries.count(created, received);
        System.out.println("SmtpDownThreeRunsTest counts: " + counts.summary());
        int total = DOWN_RUNS * TICKETS_PER_DOWN_RUN + TICKETS_AFTER_OUTAGE;
        counts.assertExactly(total, total, 0, 0, 0);

        assertThat(received).as("mails after the outage").hasSize(2);
        assertThat(received.get(0).messageId()).as("Message-ID of the file recorded during the outage")
                .isEqualTo(pending.get(0).get("message_id"));
        assertThat(received.get(0).attachment()).as("bytes of the file recorded during the outage")
                .isEqualTo(pending.get(0).get("content"));
        assertThat(received.get(1).barcodes()).as("barcodes of the second file")
                .hasSize(total - TICKETS_PER_DOWN_RUN);
        assertThat(database.query("SELECT status, attempts FROM barcode_push.export_file ORDER BY file_id"))
                .as("files after the outage")
                .containsExactly(Map.of("status", "SENT", "attempts", DOWN_RUNS + 1),
                        Map.of("status", "SENT", "attempts", 1));
        assertThat(database.count("SELECT count(*) FROM barcode_push.export_file_ticket"))
                .as("tickets in the ledger").isEqualTo(total);
        assertThat(database.queryValue("SELECT consecutive_failures FROM barcode_push.export_interface"))
                .as("consecutive failed runs after the recovery").isEqualTo(0);
    }

    private String insert(String barCode) {
        tickets.sale("C-1", null).barCode(barCode).insert();
        return barCode;
    }
}
