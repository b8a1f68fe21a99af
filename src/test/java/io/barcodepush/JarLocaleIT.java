package io.barcodepush;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.List;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.barcodepush.support.InterfaceYaml;
import io.barcodepush.support.JarProcess;
import io.barcodepush.support.Mails;
import io.barcodepush.support.TestDatabase;
import io.barcodepush.support.Tickets;

/**
 * Runs {@code java -jar target/barcode-push.jar --once} in two child JVMs that differ in locale, default charset,
 * native encoding and time zone, and checks that both send the same file, byte for byte.
 *
 * <p>ORDER_DATE follows the interface's timeZone setting (Europe/Zurich here), never the JVM's zone.
 */
class JarLocaleIT {

    private static final String INTERFACE_KEY = "locale-check";
    private static final String ASCII_NAME = "Locale Check";
    /** A display name with Latin-1 letters and with characters whose UTF-8 bytes include 0x80 to 0x9F. */
    private static final String NON_ASCII_NAME = "Zürich 京都 Reisen";
    private static final String CONTACT = "C-LOCALE";

    /**
     * The file both runs must send. Fields with ';' or '"' are quoted and their quotes doubled, NULL is an empty
     * field, and the ticket without a barcode is left out.
     */
    private static final String EXPECTED_FILE = ""
            + "BAR_CODE;TICKET_STATE;FILE_NUMBER;PRODUCT_CODE;PRODUCT_NAME;VALIDITY_DATE;TARIFF_CODE;TARIFF_NAME;"
            + "PRICE;ORDER_DATE;CONTACT_NUMBER\n"
            + "0000000000001234567890;PRINTED;F-LOC-1;OPERA;\"Opéra \"\"La Traviata\"\"\";2026-12-15 19:30:00;"
            + "ADULT;\"Adulte; plein tarif\";89.50;2026-11-20 11:15:00;C-LOCALE\n"
            + "0000000000000000000007;NOT_PRINTED;F-LOC-2;NO-NAME;;2027-03-28 02:30:00;NO-TARIFF;;-5.00;"
            + "2026-11-21 00:30:00;C-LOCALE\n"
            + "0012345678901234567890;CANCELLED;F-LOC-3;KYOTO;京都 Festival 🎫;2026-12-31 23:59:59;SENIOR;"
            + "Senior – AHV/AVS;1234567.89;2026-07-01 14:00:00;C-LOCALE\n"
            + "0000000000000000000042;PRINTED;F-LOC-5;STRASSE;Straßenfest € Spezial;2026-12-15 19:30:00;CHILD;"
            + "\"Kinder \"\"6–15\"\"\";;2026-11-20 11:15:00;C-LOCALE\n";

    @TempDir
    Path workingDirectory;

    private GreenMail greenMail;

    @BeforeAll
    static void jarIsBuilt() {
        JarProcess.requireJar();
    }

    @BeforeEach
    void startMailServer() {
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        greenMail.start();
    }

    @AfterEach
    void stopMailServer() {
        greenMail.stop();
    }

    @Test
    void fileBytesIgnoreJvmLocaleCharsetAndZone() throws Exception {
        writeConfiguration(ASCII_NAME);

        Sent enUsRun = runOnce("en-utc", "C.UTF-8", "-Duser.language=en", "-Duser.country=US",
                "-Dfile.encoding=UTF-8", "-Duser.timezone=UTC");
        Sent deChRun = runOnce("de-kiritimati", "C", "-Duser.language=de", "-Duser.country=CH",
                "-Dfile.encoding=ISO-8859-1", "-Duser.timezone=Pacific/Kiritimati");

        assertThat(deChRun.output()).as("JVM settings of the de_CH run")
                .contains("file.encoding = ISO-8859-1")
                .contains("user.timezone = Pacific/Kiritimati")
                .contains("user.language = de")
                .contains("user.country = CH")
                .doesNotContain("sun.jnu.encoding = UTF-8");
        assertThat(enUsRun.output()).as("JVM settings of the en_US run")
                .contains("file.encoding = UTF-8")
                .contains("user.timezone = UTC");

        assertThat(new String(enUsRun.attachment(), StandardCharsets.UTF_8)).as("file of the en_US, UTC run")
                .isEqualTo(EXPECTED_FILE);
        assertThat(new String(deChRun.attachment(), StandardCharsets.UTF_8)).as("file of the de_CH, Kiritimati run")
                .isEqualTo(EXPECTED_FILE);
        assertThat(deChRun.attachment()).as("file bytes of the two runs").isEqualTo(enUsRun.attachment());
        assertThat(enUsRun.attachment()).as("file bytes against the expected UTF-8")
                .isEqualTo(EXPECTED_FILE.getBytes(StandardCharsets.UTF_8));

        String expectedSubject = "Ticket barcodes for " + ASCII_NAME + ": 4 tickets (";
        assertThat(enUsRun.subject()).as("subject of the en_US run").startsWith(expectedSubject);
        assertThat(deChRun.subject()).as("subject of the de_CH run").startsWith(expectedSubject);
    }

    // Camel 4.17 decodes route files with the JVM's default charset unless the application binds a UTF-8
    // source loader, as it does; without it "Zürich" arrives as "ZÃ¼rich" under ISO-8859-1.
    @Test
    void interfaceNameIgnoresJvmCharset() throws Exception {
        writeConfiguration(NON_ASCII_NAME);

        Sent enUsRun = runOnce("en-utc", "C.UTF-8", "-Duser.language=en", "-Duser.country=US",
                "-Dfile.encoding=UTF-8", "-Duser.timezone=UTC");
        Sent deChRun = runOnce("de-kiritimati", "C", "-Duser.language=de", "-Duser.country=CH",
                "-Dfile.encoding=ISO-8859-1", "-Duser.timezone=Pacific/Kiritimati");

        String expectedSubject = "Ticket barcodes for " + NON_ASCII_NAME + ": 4 tickets (";
        assertThat(enUsRun.subject()).as("subject of the en_US run").startsWith(expectedSubject);
        assertThat(deChRun.subject()).as("subject of the de_CH run").startsWith(expectedSubject);
        assertThat(deChRun.attachment()).as("file bytes of the de_CH run")
                .isEqualTo(EXPECTED_FILE.getBytes(StandardCharsets.UTF_8));
    }

    /** What one child run sent: the only mail's attachment and subject, and the child's output. */
    private record Sent(byte[] attachment, String subject, String output) {
    }

    /**
     * Runs the jar with {@code --once} against a fresh database holding the same tickets, and returns the only
     * mail the test server received.
     *
     * @param nativeLocale value of LC_ALL in the child, which sets the JVM's native encoding (sun.jnu.encoding)
     */
    private Sent runOnce(String label, String nativeLocale, String... jvmOptions) throws Exception {
        greenMail.purgeEmailFromAllMailboxes();
        try (TestDatabase database = TestDatabase.createWithTicketing()) {
            insertTickets(database);

            JarProcess.Result result = JarProcess.in(workingDirectory)
                    .jvmOptions(jvmOptions)
                    // Prints the child's system properties to standard error, so the test can check them.
                    .jvmOptions("-XshowSettings:properties")
                    .environment("LC_ALL", nativeLocale)
                    .database(database.url())
                    .environment("BARCODE_PUSH_SMTP_HOST", "127.0.0.1")
                    .environment("BARCODE_PUSH_SMTP_PORT", Integer.toString(greenMail.getSmtp().getPort()))
                    .run(workingDirectory.resolve("once-" + label + ".log"), "--once");

            assertThat(result.exitStatus()).as(result.describe()).isZero();
            MimeMessage[] messages = greenMail.getReceivedMessages();
            assertThat(messages).as("mails of the %s run", label).hasSize(1);
            assertThat(Mails.to(messages[0])).as("recipients of the %s run", label)
                    .containsExactly(INTERFACE_KEY + "@reseller.example");
            return new Sent(Mails.attachmentBytes(messages[0]), messages[0].getSubject(), result.output());
        }
    }

    /** Inserts the same tickets, with the same barcodes and file numbers, into any fresh database. */
    private static void insertTickets(TestDatabase database) {
        Tickets tickets = new Tickets(database);
        tickets.sale(CONTACT, null)
                .barCode("0000000000001234567890")
                .fileNumber("F-LOC-1")
                .state("PRINTED")
                .product("OPERA", "Opéra \"La Traviata\"")
                .tariff("ADULT", "Adulte; plein tarif")
                .price("89.50")
                .orderDate(OffsetDateTime.parse("2026-11-20T10:15:00Z"))
                .insert();
        // The order date falls on the next day in Zurich; the validity date is in Zurich's spring DST gap.
        tickets.sale(CONTACT, null)
                .barCode("0000000000000000000007")
                .fileNumber("F-LOC-2")
                .state("NOT_PRINTED")
                .product("NO-NAME", null)
                .tariff("NO-TARIFF", null)
                .validityDate(LocalDateTime.parse("2027-03-28T02:30:00"))
                .price("-5.00")
                .orderDate(OffsetDateTime.parse("2026-11-20T23:30:00Z"))
                .insert();
        // Characters outside ISO-8859-1, one outside the Basic Multilingual Plane, and a summer (CEST) order date.
        tickets.sale(CONTACT, null)
                .barCode("0012345678901234567890")
                .fileNumber("F-LOC-3")
                .state("CANCELLED")
                .product("KYOTO", "京都 Festival 🎫")
                .tariff("SENIOR", "Senior – AHV/AVS")
                .validityDate(LocalDateTime.parse("2026-12-31T23:59:59"))
                .price("1234567.89")
                .orderDate(OffsetDateTime.parse("2026-07-01T12:00:00Z"))
                .insert();
        // No barcode: the run records the row as rejected and leaves it out of the file. Its tariff is set because
        // inserting the default one would rename tariff ADULT for the first ticket.
        tickets.sale(CONTACT, null)
                .barCode(null)
                .fileNumber("F-LOC-4")
                .tariff("NO-TARIFF", null)
                .insert();
        tickets.sale(CONTACT, null)
                .barCode("0000000000000000000042")
                .fileNumber("F-LOC-5")
                .state("PRINTED")
                .product("STRASSE", "Straßenfest € Spezial")
                .tariff("CHILD", "Kinder \"6–15\"")
                .price(null)
                .orderDate(OffsetDateTime.parse("2026-11-20T10:15:00Z"))
                .insert();
    }

    /** Copies application.properties and the flows, and writes the one interface this test runs. */
    private void writeConfiguration(String interfaceName) throws IOException {
        JarProcess.prepareWorkingDirectory(workingDirectory, List.of(InterfaceYaml.of(INTERFACE_KEY)
                .set("name", interfaceName)
                .set("contactNumbers", CONTACT)
                .set("timeZone", "Europe/Zurich")));
    }
}
