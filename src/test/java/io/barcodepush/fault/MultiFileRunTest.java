package io.barcodepush.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.barcodepush.support.Deliveries;
import io.barcodepush.support.InterfaceYaml;
import io.barcodepush.support.TestApplication;
import io.barcodepush.support.TestDatabase;
import io.barcodepush.support.Tickets;

/**
 * A scheduled run that sends several files, one per page of the batch size: each mail carries only its own file,
 * so no barcode arrives twice.
 *
 * <p>The Quartz trigger starts the run, as in production. Its exchange is InOnly and carries the attachments of the
 * run's earlier files on to the next mail unless the product clears them. The immediate runs that other tests use
 * are InOut and do not show this.
 */
class MultiFileRunTest {

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private static final String KEY = "agency";
    private static final int BATCH_SIZE = 2;
    private static final int TICKETS = 5;
    private static final int FILES = 3;

    private TestDatabase database;
    private TestApplication application;

    @BeforeEach
    void createDatabase() {
        database = TestDatabase.createWithTicketing();
    }

    @AfterEach
    void stop() {
        try {
            if (application != null) {
                application.close();
            }
        } finally {
            database.close();
        }
    }

    @Test
    void scheduledRunMailsEachFileAlone() throws Exception {
        Tickets tickets = new Tickets(database);
        List<String> created = new ArrayList<>();
        for (int i = 1; i <= TICKETS; i++) {
            String barCode = "B-" + i;
            tickets.sale("C-1", null).barCode(barCode).insert();
            created.add(barCode);
        }

        // The tickets exist before the scheduler starts, so the first run sends all of them, page by page.
        application = TestApplication.start(database, MAIL.getSmtp().getPort(),
                List.of(InterfaceYaml.of(KEY).set("contactNumbers", "C-1")
                        .set("batchSize", Integer.toString(BATCH_SIZE)).set("cron", "0/1 * * * * ?")),
                Map.of("camel.component.quartz.auto-start-scheduler", "true"));
        await("files of the first scheduled run marked sent").atMost(Duration.ofSeconds(30))
                .until(() -> database.count("SELECT count(*) FROM barcode_push.export_file WHERE status = 'SENT'"),
                        sent -> sent == FILES);

        MimeMessage[] mails = MAIL.getReceivedMessages();
        assertThat(mails).as("mails of the run").hasSize(FILES);
        for (MimeMessage mail : mails) {
            assertThat(attachmentNames(mail)).as("attachments of the mail '%s'", mail.getSubject()).hasSize(1);
        }
        Deliveries.Counts counts = Deliveries.count(created, Deliveries.parse(mails));
        System.out.println("MultiFileRunTest counts: " + counts.summary());
        counts.assertExactly(TICKETS, TICKETS, 0, 0, 0);
    }

    private static List<String> attachmentNames(MimeMessage mail) throws Exception {
        Multipart multipart = (Multipart) mail.getContent();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < multipart.getCount(); i++) {
            BodyPart part = multipart.getBodyPart(i);
            if (part.getFileName() != null) {
                names.add(part.getFileName());
            }
        }
        return names;
    }
}
