package io.barcodepush.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.barcodepush.support.InterfaceYaml;
import io.barcodepush.support.Mails;
import io.barcodepush.support.TestApplication;
import io.barcodepush.support.TestDatabase;
import io.barcodepush.support.Tickets;

/**
 * An interface with an end time sends what was created before it, including late commits, and nothing after.
 */
class EndTimeTest {

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
    void ticketsAfterEndTimeAreNotSent() throws Exception {
        Tickets tickets = new Tickets(database);
        long before = tickets.sale("C-1", null).barCode("B-before").insert();
        long after = tickets.sale("C-1", null).barCode("B-after").insert();
        OffsetDateTime end = OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(5);
        database.execute("UPDATE ticketing.ticket SET created_at = ? - interval '1 minute' WHERE ticket_id = ?",
                end, before);
        database.execute("UPDATE ticketing.ticket SET created_at = ? WHERE ticket_id = ?", end, after);
        application = TestApplication.start(database, MAIL.getSmtp().getPort(), List.of(InterfaceYaml.of("agency")
                .set("contactNumbers", "C-1").set("endTime", end.toString())),
                Map.of("barcode-push.late-commit-window", "PT1M"));

        application.run("agency");
        ExportRun ended = application.run("agency");

        assertThat(ended.getOutcome()).isEqualTo(ExportRun.Outcome.SUCCEEDED);
        assertThat(MAIL.getReceivedMessages()).hasSize(1);
        assertThat(Mails.attachmentText(MAIL.getReceivedMessages()[0])).contains("B-before;")
                .doesNotContain("B-after;");
    }
}
