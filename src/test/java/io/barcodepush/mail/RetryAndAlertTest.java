package io.barcodepush.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.barcodepush.export.ExportRun;
import io.barcodepush.support.InterfaceYaml;
import io.barcodepush.support.Mails;
import io.barcodepush.support.ScriptedSmtpServer;
import io.barcodepush.support.TestApplication;
import io.barcodepush.support.TestDatabase;
import io.barcodepush.support.Tickets;

/**
 * Retries with back-off, files that stop being retried, and the operator's alert mails. Reseller mail goes to a
 * scripted server that refuses on demand; alerts go to GreenMail through the alert SMTP settings.
 */
class RetryAndAlertTest {

    private static final InterfaceYaml AGENCY = InterfaceYaml.of("agency").set("contactNumbers", "C-1");

    @RegisterExtension
    static final GreenMailExtension OPERATOR_MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private TestDatabase database;
    private Tickets tickets;
    private ScriptedSmtpServer resellerMail;
    private TestApplication application;

    @BeforeEach
    void start() throws Exception {
        database = TestDatabase.createWithTicketing();
        tickets = new Tickets(database);
        resellerMail = new ScriptedSmtpServer();
    }

    @AfterEach
    void stop() throws Exception {
        if (application != null) {
            application.close();
        }
        resellerMail.close();
        database.close();
    }

    private void startApplication(Map<String, String> settings) {
        Map<String, String> overrides = new HashMap<>(settings);
        overrides.put("barcode-push.alert.to", "ops@operator.example");
        overrides.put("barcode-push.alert.smtp.host", "127.0.0.1");
        overrides.put("barcode-push.alert.smtp.port", Integer.toString(OPERATOR_MAIL.getSmtp().getPort()));
        application = TestApplication.start(database, resellerMail.port(), List.of(AGENCY), overrides);
    }

    private List<Map<String, Object>> files() {
        return database.query("SELECT file_id, status, attempts, failed_at IS NOT NULL AS failed,"
                + " last_error FROM barcode_push.export_file ORDER BY file_id");
    }

    @Test
    void permanentRefusalFailsFileAndAlerts() throws Exception {
        startApplication(Map.of());
        resellerMail.replyToData("554 5.7.1 Attachment type not allowed");
        tickets.sale("C-1", null).barCode("B-1").insert();

        ExportRun refused = application.run("agency");

        assertThat(refused.getOutcome()).isEqualTo(ExportRun.Outcome.FAILED);
        Map<String, Object> failedFile = files().get(0);
        assertThat(failedFile.get("status")).isEqualTo("FAILED");
        assertThat(failedFile.get("attempts")).isEqualTo(1);
        assertThat(failedFile.get("failed")).isEqualTo(true);
        assertThat((String) failedFile.get("last_error")).contains("554 5.7.1 Attachment type not allowed");
        MimeMessage[] alerts = OPERATOR_MAIL.getReceivedMessages();
        assertThat(alerts).hasSize(1);
        assertThat(alerts[0].getSubject()).startsWith("barcode-push: file Barcodes_").endsWith(
                " of interface agency was not delivered");
        assertThat(Mails.to(alerts[0])).containsExactly("ops@operator.example");

        resellerMail.replyToData("250 2.0.0 Queued");
        tickets.sale("C-1", null).barCode("B-2").insert();
        application.run("agency");

        assertThat(resellerMail.accepted()).hasSize(1);
        assertThat(resellerMail.accepted().get(0).data()).doesNotContain(
                "Message-ID: " + database.queryValue("SELECT message_id FROM barcode_push.export_file"
                        + " WHERE status = 'FAILED'"));
        assertThat(files()).extracting(file -> file.get("status")).containsExactly("FAILED", "SENT");
        assertThat(database.count("SELECT count(*) FROM barcode_push.export_file_ticket")).isEqualTo(2);
    }

    @Test
    void fileStopsAfterMaxAttempts() throws Exception {
        startApplication(Map.of("barcode-push.retry.max-attempts", "2"));
        resellerMail.replyToData("451 4.3.0 Try again later");
        tickets.sale("C-1", null).insert();

        application.run("agency");
        assertThat(files().get(0).get("status")).isEqualTo("PENDING");
        application.run("agency");
        application.run("agency");

        assertThat(files().get(0).get("status")).isEqualTo("FAILED");
        assertThat(files().get(0).get("attempts")).isEqualTo(2);
        assertThat(OPERATOR_MAIL.getReceivedMessages()).extracting(MimeMessage::getSubject)
                .anySatisfy(subject -> assertThat(subject).endsWith("of interface agency was not delivered"));
    }

    @Test
    void backOffDefersRetryAndNewTickets() throws Exception {
        startApplication(Map.of("barcode-push.retry.initial-delay", "PT1H"));
        resellerMail.replyToData("451 4.3.0 Try again later");
        tickets.sale("C-1", null).barCode("B-1").insert();
        application.run("agency");
        resellerMail.replyToData("250 2.0.0 Queued");
        tickets.sale("C-1", null).barCode("B-2").insert();

        ExportRun waiting = application.run("agency");

        assertThat(waiting.getOutcome()).isEqualTo(ExportRun.Outcome.WAITING);
        assertThat(waiting.getFilesSent()).isEmpty();
        assertThat(resellerMail.accepted()).isEmpty();
        assertThat(database.count("SELECT count(*) FROM barcode_push.export_file")).isEqualTo(1);
        assertThat(database.count("SELECT count(*) FROM barcode_push.export_file"
                + " WHERE next_attempt_at > now() + interval '59 minutes'")).isEqualTo(1);

        application.runImmediately("agency");

        assertThat(resellerMail.accepted()).hasSize(2);
        assertThat(resellerMail.accepted().get(0).data()).contains("Message-ID: " + database.queryValue(
                "SELECT message_id FROM barcode_push.export_file ORDER BY file_id LIMIT 1"));
        assertThat(files()).extracting(file -> file.get("status")).containsExactly("SENT", "SENT");
    }

    @Test
    void unreachableServerNeverFailsFile() throws Exception {
        resellerMail.close();
        startApplication(Map.of("barcode-push.retry.max-attempts", "2"));
        tickets.sale("C-1", null).insert();

        for (int run = 0; run < 4; run++) {
            assertThat(application.run("agency").getOutcome()).isEqualTo(ExportRun.Outcome.FAILED);
        }

        assertThat(files().get(0).get("status")).isEqualTo("PENDING");
        assertThat(files().get(0).get("attempts")).isEqualTo(4);
        assertThat(OPERATOR_MAIL.getReceivedMessages()).extracting(MimeMessage::getSubject)
                .containsExactly("barcode-push: interface agency failed 3 runs in a row");
    }

    @Test
    void waitingRunKeepsFailureCount() throws Exception {
        startApplication(Map.of("barcode-push.retry.initial-delay", "PT1H", "barcode-push.alert.after-failures", "2"));
        resellerMail.replyToData("451 4.3.0 Try again later");
        tickets.sale("C-1", null).insert();

        application.run("agency");
        application.run("agency");
        application.runImmediately("agency");

        assertThat(database.queryValue("SELECT consecutive_failures FROM barcode_push.export_interface"))
                .isEqualTo(2);
        assertThat(OPERATOR_MAIL.getReceivedMessages()).extracting(MimeMessage::getSubject)
                .containsExactly("barcode-push: interface agency failed 2 runs in a row");
    }

    @Test
    void repeatedFailuresAlertOnceThenRecovery() throws Exception {
        startApplication(Map.of("barcode-push.retry.max-attempts", "10"));
        resellerMail.replyToData("451 4.3.0 Try again later");
        tickets.sale("C-1", null).insert();

        application.run("agency");
        application.run("agency");
        assertThat(OPERATOR_MAIL.getReceivedMessages()).isEmpty();
        application.run("agency");
        application.run("agency");

        MimeMessage[] alerts = OPERATOR_MAIL.getReceivedMessages();
        assertThat(alerts).hasSize(1);
        assertThat(alerts[0].getSubject()).isEqualTo("barcode-push: interface agency failed 3 runs in a row");
        assertThat((String) alerts[0].getContent()).contains("451 4.3.0 Try again later");

        resellerMail.replyToData("250 2.0.0 Queued");
        application.run("agency");
        application.run("agency");

        alerts = OPERATOR_MAIL.getReceivedMessages();
        assertThat(alerts).hasSize(2);
        assertThat(alerts[1].getSubject()).isEqualTo("barcode-push: interface agency recovered");
        assertThat(database.queryValue("SELECT consecutive_failures FROM barcode_push.export_interface"))
                .isEqualTo(0);
    }
}
