package io.barcodepush.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.internet.MimeMessage;
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
 * End to end: tickets inserted into the feed's tables, one run of the real routes, the mail the SMTP server got.
 */
class ExportRouteTest {

    static final String HEADER = "BAR_CODE;TICKET_STATE;FILE_NUMBER;PRODUCT_CODE;PRODUCT_NAME;VALIDITY_DATE;"
            + "TARIFF_CODE;TARIFF_NAME;PRICE;ORDER_DATE;CONTACT_NUMBER\n";

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

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

    private void start(InterfaceYaml... interfaces) {
        if (application != null) {
            application.close();
        }
        application = TestApplication.start(database, MAIL.getSmtp().getPort(), List.of(interfaces));
    }

    private static String row(String barCode, String fileNumber, String contact) {
        return barCode + ";PRINTED;" + fileNumber + ";P-1;Concert;2026-12-15 19:30:00;ADULT;Adult;25.50;"
                + "2026-11-20 10:15:00;" + (contact == null ? "" : contact) + "\n";
    }

    @Test
    void contactMappingSendsExactFile() throws Exception {
        start(InterfaceYaml.of("agency").set("contactNumbers", "C-1"));
        tickets.sale("C-1", "WEB").barCode("B-100").fileNumber("F-100").insert();

        ExportRun run = application.run("agency");

        assertThat(run.getOutcome()).isEqualTo(ExportRun.Outcome.SUCCEEDED);
        MimeMessage[] mails = MAIL.getReceivedMessages();
        assertThat(mails).hasSize(1);
        MimeMessage mail = mails[0];
        assertThat(Mails.to(mail)).containsExactly("agency@reseller.example");
        assertThat(mail.getFrom()[0].toString()).isEqualTo("barcode-push@operator.example");
        assertThat(mail.getSubject()).startsWith("Ticket barcodes for agency: 1 ticket (Barcodes_");
        assertThat(Mails.attachmentName(mail)).matches("Barcodes_\\d{4}-\\d{2}-\\d{2}-\\d{2}-\\d{2}\\.csv");
        assertThat(Mails.attachment(mail).getContentType()).startsWith("text/csv; charset=UTF-8");
        assertThat(Mails.attachmentBytes(mail))
                .isEqualTo((HEADER + row("B-100", "F-100", "C-1")).getBytes(java.nio.charset.StandardCharsets.UTF_8));

        Map<String, Object> file = database.query("SELECT * FROM barcode_push.export_file").get(0);
        assertThat(file.get("status")).isEqualTo("SENT");
        assertThat(file.get("attempts")).isEqualTo(1);
        assertThat(file.get("message_id")).isEqualTo(mail.getMessageID());
        assertThat(file.get("file_name")).isEqualTo(Mails.attachmentName(mail));
        assertThat(file.get("content")).isEqualTo(Mails.attachmentBytes(mail));
        assertThat(database.count("SELECT count(*) FROM barcode_push.export_file_ticket")).isEqualTo(1);
    }

    @Test
    void salesChannelMappingSendsTicketWithoutContact() throws Exception {
        start(InterfaceYaml.of("desk").set("salesChannels", "DESK"));
        tickets.sale(null, "DESK").barCode("B-200").fileNumber("F-200").insert();
        tickets.sale("C-9", "WEB").barCode("B-201").fileNumber("F-201").insert();

        application.run("desk");

        assertThat(MAIL.getReceivedMessages()).hasSize(1);
        assertThat(Mails.attachmentText(MAIL.getReceivedMessages()[0]))
                .isEqualTo(HEADER + row("B-200", "F-200", null));
    }

    @Test
    void ticketMatchingContactAndChannelIsSentOnce() throws Exception {
        start(InterfaceYaml.of("venue").set("contactNumbers", "C-2").set("salesChannels", "POS"));
        tickets.sale("C-2", "POS").barCode("B-300").fileNumber("F-300").insert();
        tickets.sale("C-2", "WEB").barCode("B-301").fileNumber("F-301").insert();
        tickets.sale("C-7", "POS").barCode("B-302").fileNumber("F-302").insert();

        application.run("venue");

        assertThat(MAIL.getReceivedMessages()).hasSize(1);
        assertThat(Mails.attachmentText(MAIL.getReceivedMessages()[0])).isEqualTo(HEADER
                + row("B-300", "F-300", "C-2") + row("B-301", "F-301", "C-2") + row("B-302", "F-302", "C-7"));
    }

    @Test
    void unmappedTicketIsNotSent() {
        start(InterfaceYaml.of("agency").set("contactNumbers", "C-1"));
        tickets.sale("C-5", "WEB").insert();

        ExportRun run = application.run("agency");

        assertThat(run.getOutcome()).isEqualTo(ExportRun.Outcome.SUCCEEDED);
        assertThat(run.getFilesSent()).isEmpty();
        assertThat(MAIL.getReceivedMessages()).isEmpty();
        assertThat(database.count("SELECT count(*) FROM barcode_push.export_file")).isZero();
    }

    @Test
    void interfacesSharingContactEachGetTicket() throws Exception {
        start(InterfaceYaml.of("first").set("contactNumbers", "C-1"),
                InterfaceYaml.of("second").set("contactNumbers", "C-1"));
        tickets.sale("C-1", null).barCode("B-400").fileNumber("F-400").insert();

        application.run("first");
        application.run("second");

        MimeMessage[] mails = MAIL.getReceivedMessages();
        assertThat(mails).hasSize(2);
        assertThat(Mails.to(mails[0])).containsExactly("first@reseller.example");
        assertThat(Mails.to(mails[1])).containsExactly("second@reseller.example");
        assertThat(Mails.attachmentText(mails[0])).isEqualTo(HEADER + row("B-400", "F-400", "C-1"));
        assertThat(Mails.attachmentText(mails[1])).isEqualTo(HEADER + row("B-400", "F-400", "C-1"));
    }

    @Test
    void secondRunSendsNothingAgain() throws Exception {
        start(InterfaceYaml.of("agency").set("contactNumbers", "C-1"));
        tickets.sale("C-1", null).barCode("B-500").fileNumber("F-500").insert();
        application.run("agency");

        ExportRun second = application.run("agency");

        assertThat(second.getOutcome()).isEqualTo(ExportRun.Outcome.SUCCEEDED);
        assertThat(second.getFilesSent()).isEmpty();
        assertThat(MAIL.getReceivedMessages()).hasSize(1);

        tickets.sale("C-1", null).barCode("B-501").fileNumber("F-501").insert();
        application.run("agency");

        MimeMessage[] mails = MAIL.getReceivedMessages();
        assertThat(mails).hasSize(2);
        assertThat(Mails.attachmentText(mails[1])).isEqualTo(HEADER + row("B-501", "F-501", "C-1"));
        assertThat(Mails.attachmentName(mails[1])).isNotEqualTo(Mails.attachmentName(mails[0]));
    }

    @Test
    void newInterfaceStartsAtItsFirstRun() throws Exception {
        tickets.sale("C-1", null).barCode("B-600").fileNumber("F-600").insert();
        start(InterfaceYaml.of("agency").set("contactNumbers", "C-1").set("dateFrom", null));

        application.run("agency");
        assertThat(MAIL.getReceivedMessages()).isEmpty();

        tickets.sale("C-1", null).barCode("B-601").fileNumber("F-601").insert();
        application.run("agency");

        assertThat(MAIL.getReceivedMessages()).hasSize(1);
        assertThat(Mails.attachmentText(MAIL.getReceivedMessages()[0])).isEqualTo(HEADER + row("B-601", "F-601", "C-1"));
    }

    @Test
    void newInterfaceCountsFromItsStart() throws Exception {
        start(InterfaceYaml.of("agency").set("contactNumbers", "C-1").set("dateFrom", null));
        tickets.sale("C-1", null).barCode("B-650").fileNumber("F-650").insert();

        application.run("agency");

        assertThat(MAIL.getReceivedMessages()).hasSize(1);
        assertThat(Mails.attachmentText(MAIL.getReceivedMessages()[0])).isEqualTo(HEADER + row("B-650", "F-650", "C-1"));
    }

    @Test
    void mappingRemovedAndAddedBackCountsFromReturn() throws Exception {
        start(InterfaceYaml.of("agency").set("contactNumbers", "C-1, C-2"));
        start(InterfaceYaml.of("agency").set("contactNumbers", "C-1"));
        tickets.sale("C-2", null).barCode("B-660").insert();
        application.run("agency");

        start(InterfaceYaml.of("agency").set("contactNumbers", "C-1, C-2"));
        tickets.sale("C-2", null).barCode("B-661").fileNumber("F-661").insert();
        application.run("agency");

        assertThat(MAIL.getReceivedMessages()).hasSize(1);
        assertThat(Mails.attachmentText(MAIL.getReceivedMessages()[0])).isEqualTo(HEADER + row("B-661", "F-661", "C-2"));
    }

    @Test
    void mappingAddedLaterCountsFromFirstSeen() throws Exception {
        start(InterfaceYaml.of("agency").set("contactNumbers", "C-1"));
        tickets.sale("C-2", null).barCode("B-700").fileNumber("F-700").insert();
        application.run("agency");

        start(InterfaceYaml.of("agency").set("contactNumbers", "C-1, C-2"));
        application.run("agency");
        assertThat(MAIL.getReceivedMessages()).isEmpty();

        tickets.sale("C-2", null).barCode("B-701").fileNumber("F-701").insert();
        application.run("agency");

        assertThat(MAIL.getReceivedMessages()).hasSize(1);
        assertThat(Mails.attachmentText(MAIL.getReceivedMessages()[0])).isEqualTo(HEADER + row("B-701", "F-701", "C-2"));
    }

    @Test
    void renamedInterfaceSendsNothingAgain() throws Exception {
        start(InterfaceYaml.of("agency").set("name", "Agency").set("contactNumbers", "C-1"));
        tickets.sale("C-1", null).insert();
        application.run("agency");

        start(InterfaceYaml.of("agency").set("name", "Agency Worldwide").set("contactNumbers", "C-1"));
        application.run("agency");
        tickets.sale("C-1", null).insert();
        application.run("agency");

        MimeMessage[] mails = MAIL.getReceivedMessages();
        assertThat(mails).hasSize(2);
        assertThat(mails[0].getSubject()).startsWith("Ticket barcodes for Agency: 1 ticket");
        assertThat(mails[1].getSubject()).startsWith("Ticket barcodes for Agency Worldwide: 1 ticket");
    }

    @Test
    void batchSizeSplitsRowsIntoNumberedFiles() throws Exception {
        start(InterfaceYaml.of("agency").set("contactNumbers", "C-1").set("batchSize", "2"));
        for (int i = 1; i <= 5; i++) {
            tickets.sale("C-1", null).barCode("B-80" + i).fileNumber("F-80" + i).insert();
        }

        ExportRun run = application.run("agency");

        assertThat(run.getTicketsSent()).isEqualTo(5);
        MimeMessage[] mails = MAIL.getReceivedMessages();
        assertThat(mails).hasSize(3);
        String first = Mails.attachmentName(mails[0]);
        String stem = first.substring(0, first.length() - ".csv".length());
        assertThat(Mails.attachmentName(mails[1])).isEqualTo(stem + "_2.csv");
        assertThat(Mails.attachmentName(mails[2])).isEqualTo(stem + "_3.csv");
        assertThat(Mails.attachmentText(mails[0])).isEqualTo(HEADER + row("B-801", "F-801", "C-1")
                + row("B-802", "F-802", "C-1"));
        assertThat(Mails.attachmentText(mails[1])).isEqualTo(HEADER + row("B-803", "F-803", "C-1")
                + row("B-804", "F-804", "C-1"));
        assertThat(Mails.attachmentText(mails[2])).isEqualTo(HEADER + row("B-805", "F-805", "C-1"));
    }

    @Test
    void unusableRowsAreRecordedAndSentOnceFixed() throws Exception {
        start(InterfaceYaml.of("agency").set("contactNumbers", "C-1"));
        long noBarcode = tickets.sale("C-1", null).barCode(null).fileNumber("F-900").insert();
        long unknownState = tickets.sale("C-1", null).barCode("B-901").state("LOST").fileNumber("F-901").insert();
        tickets.sale("C-1", null).barCode("B-902").fileNumber("F-902").insert();

        application.run("agency");

        assertThat(Mails.attachmentText(MAIL.getReceivedMessages()[0])).isEqualTo(HEADER + row("B-902", "F-902", "C-1"));
        List<Map<String, Object>> rejected = database.query(
                "SELECT ticket_id, reason FROM barcode_push.rejected_ticket ORDER BY ticket_id");
        assertThat(rejected).hasSize(2);
        assertThat(rejected.get(0).get("ticket_id")).isEqualTo(noBarcode);
        assertThat(rejected.get(0).get("reason")).isEqualTo("no barcode");
        assertThat(rejected.get(1).get("ticket_id")).isEqualTo(unknownState);
        assertThat((String) rejected.get(1).get("reason")).startsWith("unknown ticket state 'LOST'");

        database.execute("UPDATE ticketing.ticket SET bar_code = 'B-900' WHERE ticket_id = ?", noBarcode);
        database.execute("UPDATE ticketing.ticket SET state = 'CANCELLED' WHERE ticket_id = ?", unknownState);
        application.run("agency");

        MimeMessage[] mails = MAIL.getReceivedMessages();
        assertThat(mails).hasSize(2);
        assertThat(Mails.attachmentText(mails[1])).isEqualTo(HEADER + row("B-900", "F-900", "C-1")
                + row("B-901", "F-901", "C-1").replace("PRINTED", "CANCELLED"));
        assertThat(database.count("SELECT count(*) FROM barcode_push.rejected_ticket")).isZero();
    }

    @Test
    void recipientsAcceptCommasAndSemicolons() throws Exception {
        start(InterfaceYaml.of("agency").set("contactNumbers", "C-1")
                .set("recipients", "one@reseller.example; two@reseller.example,three@reseller.example"));
        tickets.sale("C-1", null).insert();

        application.run("agency");

        MimeMessage[] mails = MAIL.getReceivedMessages();
        assertThat(mails).hasSize(3);
        assertThat(Mails.to(mails[0])).containsExactly("one@reseller.example", "two@reseller.example",
                "three@reseller.example");
        assertThat(MAIL.getReceivedMessagesForDomain("reseller.example")).hasSize(3);
    }

    @Test
    void mailCarriesNoRouteHeaders() throws Exception {
        start(InterfaceYaml.of("agency").set("contactNumbers", "C-1"));
        tickets.sale("C-1", null).insert();

        application.run("agency");

        MimeMessage mail = MAIL.getReceivedMessages()[0];
        java.util.Collections.list(mail.getAllHeaderLines()).forEach(line ->
                assertThat(line.toLowerCase(java.util.Locale.ROOT)).doesNotContain("camel", "interfacekey", "sql"));
    }

    @Test
    void invalidParametersDoNotStopOthers() throws Exception {
        start(InterfaceYaml.of("bad-cron").set("contactNumbers", "C-1").set("cron", "0 0/15 * * *"),
                InterfaceYaml.of("no-recipients").set("contactNumbers", "C-1").set("recipients", null),
                InterfaceYaml.of("agency").set("contactNumbers", "C-1"));
        tickets.sale("C-1", null).insert();

        assertThat(application.application().catalog().problems()).extracting(Throwable::getMessage)
                .anySatisfy(message -> assertThat(message).startsWith(
                        "Interface 'bad-cron': setting cron has the invalid value '0 0/15 * * *'."))
                .anySatisfy(message -> assertThat(message).startsWith(
                        "Interface 'no-recipients': setting recipients has the invalid value ''."));
        application.run("agency");

        assertThat(MAIL.getReceivedMessages()).hasSize(1);
    }

    @Test
    void badDefaultNamesPropertyKey() {
        application = TestApplication.start(database, MAIL.getSmtp().getPort(),
                List.of(InterfaceYaml.of("agency").set("contactNumbers", "C-1")),
                Map.of("barcode-push.file.batch-size", "60000"));

        assertThat(application.application().catalog().problems()).singleElement()
                .satisfies(problem -> assertThat(problem.getMessage()).isEqualTo("Interface 'agency': setting"
                        + " batchSize has the invalid value '60000'. Use a whole number of rows per file from 1 to"
                        + " 50000. The interface does not set batchSize, so the value comes from"
                        + " barcode-push.file.batch-size in application.properties."));
    }

    @Test
    void invalidInterfaceDoesNotStopOthers() throws Exception {
        start(InterfaceYaml.of("broken").set("contactNumbers", "C-1").set("timeZone", "Mars/Olympus"),
                InterfaceYaml.of("agency").set("contactNumbers", "C-1"));
        tickets.sale("C-1", null).insert();

        assertThat(application.application().catalog().problems()).singleElement()
                .satisfies(problem -> assertThat(problem.getMessage()).isEqualTo("Interface 'broken': setting"
                        + " timeZone has the invalid value 'Mars/Olympus'. Use a region id such as UTC or"
                        + " Europe/Zurich."));
        assertThat(application.application().camelContext().getRouteController().getRouteStatus("export-broken")
                .isStarted()).isFalse();
        application.run("agency");

        assertThat(MAIL.getReceivedMessages()).hasSize(1);
    }
}
