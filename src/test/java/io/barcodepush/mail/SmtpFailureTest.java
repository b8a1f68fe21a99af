package io.barcodepush.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.barcodepush.export.ExportRun;
import io.barcodepush.support.FreePort;
import io.barcodepush.support.InterfaceYaml;
import io.barcodepush.support.Mails;
import io.barcodepush.support.ScriptedSmtpServer;
import io.barcodepush.support.TestApplication;
import io.barcodepush.support.TestDatabase;
import io.barcodepush.support.Tickets;

/**
 * An SMTP server that is down or refuses: nothing counts as sent, and a later run delivers the same file once.
 */
class SmtpFailureTest {

    private static final InterfaceYaml AGENCY = InterfaceYaml.of("agency").set("contactNumbers", "C-1");

    private TestDatabase database;
    private Tickets tickets;
    private TestApplication application;

    @BeforeEach
    void createDatabase() {
        database = TestDatabase.createWithTicketing();
        tickets = new Tickets(database);
    }

    @AfterEach
    void stop() {
        if (application != null) {
            application.close();
        }
        database.close();
    }

    private Map<String, Object> onlyFile() {
        List<Map<String, Object>> files = database.query("SELECT * FROM barcode_push.export_file");
        assertThat(files).hasSize(1);
        return files.get(0);
    }

    @Test
    void serverDownThenBackDeliversSameFileOnce() throws Exception {
        int port = FreePort.find();
        application = TestApplication.start(database, port, List.of(AGENCY));
        tickets.sale("C-1", null).barCode("B-1").insert();

        ExportRun failed = application.run("agency");

        assertThat(failed.getOutcome()).isEqualTo(ExportRun.Outcome.FAILED);
        assertThat(failed.getError()).contains("Connection refused");
        Map<String, Object> pending = onlyFile();
        assertThat(pending.get("status")).isEqualTo("PENDING");
        assertThat(pending.get("attempts")).isEqualTo(1);
        assertThat((String) pending.get("last_error")).contains("Connection refused");
        assertThat(database.queryValue("SELECT last_run_status FROM barcode_push.export_interface"))
                .isEqualTo("FAILED");

        tickets.sale("C-1", null).barCode("B-2").insert();
        GreenMail greenMail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        greenMail.start();
        try {
            ExportRun recovered = application.run("agency");
            ExportRun idle = application.run("agency");

            assertThat(recovered.getOutcome()).isEqualTo(ExportRun.Outcome.SUCCEEDED);
            assertThat(idle.getFilesSent()).isEmpty();
            MimeMessage[] mails = greenMail.getReceivedMessages();
            assertThat(mails).hasSize(2);
            assertThat(mails[0].getMessageID()).isEqualTo(pending.get("message_id"));
            assertThat(Mails.attachmentName(mails[0])).isEqualTo(pending.get("file_name"));
            assertThat(Mails.attachmentBytes(mails[0])).isEqualTo(pending.get("content"));
            assertThat(Mails.attachmentText(mails[0])).contains("B-1;").doesNotContain("B-2;");
            assertThat(Mails.attachmentText(mails[1])).contains("B-2;").doesNotContain("B-1;");
            assertThat(database.query("SELECT status, attempts FROM barcode_push.export_file ORDER BY file_id"))
                    .containsExactly(Map.of("status", "SENT", "attempts", 2), Map.of("status", "SENT", "attempts", 1));
        } finally {
            greenMail.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"451 4.3.0 Temporary failure, try again later", "421 4.7.0 Too many connections"})
    void temporaryRefusalKeepsFilePending(String refusal) throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            server.replyToData(refusal);
            application = TestApplication.start(database, server.port(), List.of(AGENCY));
            tickets.sale("C-1", null).barCode("B-1").insert();

            ExportRun failed = application.run("agency");

            assertThat(failed.getOutcome()).isEqualTo(ExportRun.Outcome.FAILED);
            assertThat(failed.getError()).contains(refusal.substring(0, 3));
            assertThat(onlyFile().get("status")).isEqualTo("PENDING");
            assertThat(server.accepted()).isEmpty();

            server.replyToData("250 2.0.0 Queued");
            application.run("agency");
            application.run("agency");

            assertThat(server.accepted()).hasSize(1);
            assertThat(server.accepted().get(0).data()).contains("Message-ID: " + onlyFile().get("message_id"));
            assertThat(onlyFile().get("status")).isEqualTo("SENT");
        }
    }

    @Test
    void partlyRefusedRecipientsCountAsSent() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            server.refuseRecipients(Set.of("gone@reseller.example"));
            application = TestApplication.start(database, server.port(), List.of(InterfaceYaml.of("agency")
                    .set("contactNumbers", "C-1").set("recipients", "ops@reseller.example, gone@reseller.example")));
            tickets.sale("C-1", null).insert();

            ExportRun run = application.run("agency");
            application.run("agency");

            assertThat(run.getOutcome()).isEqualTo(ExportRun.Outcome.SUCCEEDED);
            assertThat(server.accepted()).hasSize(1);
            assertThat(server.accepted().get(0).recipients()).containsExactly("ops@reseller.example");
            Map<String, Object> file = onlyFile();
            assertThat(file.get("status")).isEqualTo("SENT");
            assertThat(file.get("refused_recipients")).isEqualTo("gone@reseller.example");
            assertThat(file.get("sent_to")).isEqualTo("ops@reseller.example, gone@reseller.example");
        }
    }

    @Test
    void crashAfterRecordResendsSameFile() throws Exception {
        try (ScriptedSmtpServer server = new ScriptedSmtpServer()) {
            application = TestApplication.start(database, server.port(), List.of(AGENCY),
                    Map.of("barcode-push.fault-injection", "fail-after-record"));
            tickets.sale("C-1", null).barCode("B-1").insert();

            ExportRun crashed = application.run("agency");

            assertThat(crashed.getOutcome()).isEqualTo(ExportRun.Outcome.FAILED);
            assertThat(server.accepted()).isEmpty();
            Map<String, Object> recorded = onlyFile();
            assertThat(recorded.get("status")).isEqualTo("PENDING");
            assertThat(recorded.get("attempts")).isEqualTo(0);

            application.close();
            application = TestApplication.start(database, server.port(), List.of(AGENCY));
            tickets.sale("C-1", null).barCode("B-2").insert();
            application.run("agency");

            assertThat(server.accepted()).hasSize(2);
            assertThat(server.accepted().get(0).data()).contains("Message-ID: " + recorded.get("message_id"));
            assertThat(database.query("SELECT file_name, status FROM barcode_push.export_file ORDER BY file_id"))
                    .extracting(row -> row.get("status")).containsExactly("SENT", "SENT");
            assertThat(database.count("SELECT count(*) FROM barcode_push.export_file_ticket")).isEqualTo(2);
        }
    }
}
