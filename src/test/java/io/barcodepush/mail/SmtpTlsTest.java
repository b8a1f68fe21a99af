package io.barcodepush.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.smtp.auth.AuthenticationState;
import com.icegreen.greenmail.smtp.auth.UsernameAuthentication;
import com.icegreen.greenmail.user.MessageDeliveryHandler;
import com.icegreen.greenmail.user.UserManager;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.barcodepush.export.ExportRun;
import io.barcodepush.support.InterfaceYaml;
import io.barcodepush.support.Mails;
import io.barcodepush.support.SmtpsGreenMail;
import io.barcodepush.support.StartTlsProxy;
import io.barcodepush.support.TestApplication;
import io.barcodepush.support.TestCertificates;
import io.barcodepush.support.TestCertificates.ServerKeyStore;
import io.barcodepush.support.TestDatabase;
import io.barcodepush.support.Tickets;

/**
 * Mail over SMTPS (implicit TLS) and over required STARTTLS, with SMTP authentication, to a server whose
 * self-signed certificate for {@code localhost} the application trusts only through
 * {@code barcode-push.smtp.trust-store}.
 *
 * <p>SMTPS is GreenMail's own. GreenMail 2.1.3 has no STARTTLS command, so the STARTTLS cases put a
 * {@link StartTlsProxy} in front of a plain GreenMail SMTP server: the proxy performs the upgrade and
 * GreenMail checks the credentials and stores the mail. GreenMail accepts mail without AUTH, so the tests
 * record which user each delivered mail was authenticated as.
 */
class SmtpTlsTest {

    private static final String INTERFACE_KEY = "tls-reseller";
    private static final String RECIPIENT = INTERFACE_KEY + "@reseller.example";
    private static final String CONTACT = "C-TLS";
    private static final String SMTP_USER = "barcode-push";
    private static final String SMTP_PASSWORD = "smtp-secret-4711";
    private static final String KEY_STORE_PASSWORD = "server-key-store-secret";
    private static final String TRUST_STORE_PASSWORD = "trust-store-secret";

    /** Expected file for the ticket that {@link #insertTicket()} inserts. ORDER_DATE is in the default zone, UTC. */
    private static final String EXPECTED_CSV = """
            BAR_CODE;TICKET_STATE;FILE_NUMBER;PRODUCT_CODE;PRODUCT_NAME;VALIDITY_DATE;TARIFF_CODE;TARIFF_NAME;\
            PRICE;ORDER_DATE;CONTACT_NUMBER
            TLS-BC-0001;PRINTED;F-TLS-0001;P-1;Concert;2026-12-15 19:30:00;ADULT;Adult;25.50;2026-11-20 10:15:00;\
            C-TLS
            """;

    /** How the application reaches the server. */
    enum Transport { SMTPS, STARTTLS }

    @TempDir
    static Path certificates;
    /** The server certificate in the application's trust store. */
    private static ServerKeyStore trustedServer;
    /** Another self-signed certificate for the same host name, absent from the trust store. */
    private static ServerKeyStore untrustedServer;
    private static Path trustStore;

    private final List<String> authenticatedUsers = new CopyOnWriteArrayList<>();
    private TestDatabase database;
    private GreenMail greenMail;
    private StartTlsProxy proxy;

    @BeforeAll
    static void createCertificates() {
        trustedServer = TestCertificates.createServerKeyStore(certificates, "trusted-server", KEY_STORE_PASSWORD);
        untrustedServer = TestCertificates.createServerKeyStore(certificates, "untrusted-server",
                KEY_STORE_PASSWORD);
        trustStore = TestCertificates.createTrustStore(certificates, "trust-store", TRUST_STORE_PASSWORD,
                trustedServer);
    }

    @BeforeEach
    void insertTicket() {
        database = TestDatabase.createWithTicketing();
        new Tickets(database).sale(CONTACT, null).barCode("TLS-BC-0001").fileNumber("F-TLS-0001").insert();
    }

    @AfterEach
    void stopServers() throws IOException {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            if (greenMail != null) {
                greenMail.stop();
            }
            database.close();
        }
    }

    @Test
    void smtpsDeliversWithPassword() throws Exception {
        int port = startServer(Transport.SMTPS, trustedServer);

        ExportRun run = runOnce(Transport.SMTPS, TestCertificates.HOST, port, SMTP_PASSWORD);

        assertDelivered(run, 1);
    }

    @Test
    void startTlsDeliversWithPassword() throws Exception {
        int port = startServer(Transport.STARTTLS, trustedServer);

        ExportRun run = runOnce(Transport.STARTTLS, TestCertificates.HOST, port, SMTP_PASSWORD);

        assertDelivered(run, 1);
        assertThat(proxy.tlsSessions()).as("TLS handshakes at the STARTTLS proxy").isEqualTo(1);
        assertThat(proxy.plaintextCommands()).as("commands sent before TLS").containsExactly("EHLO", "STARTTLS");
    }

    @Test
    void wrongPasswordKeepsFileForNextRun() throws Exception {
        int port = startServer(Transport.SMTPS, trustedServer);

        ExportRun failed = runOnce(Transport.SMTPS, TestCertificates.HOST, port, "wrong-" + SMTP_PASSWORD);

        assertThat(failed.getOutcome()).isEqualTo(ExportRun.Outcome.FAILED);
        assertThat(failed.getError()).contains("AuthenticationFailedException");
        assertThat(failed.getError()).contains("535 5.7.8");
        assertThat(greenMail.getReceivedMessages()).isEmpty();
        Map<String, Object> pending = exportFile();
        assertThat(pending.get("status")).isEqualTo("PENDING");
        assertThat(pending.get("attempts")).isEqualTo(1);
        assertThat((String) pending.get("last_error")).contains("AuthenticationFailedException");

        ExportRun retried = runOnce(Transport.SMTPS, TestCertificates.HOST, port, SMTP_PASSWORD);

        assertDelivered(retried, 2);
        assertThat(database.count("SELECT count(*) FROM barcode_push.export_file")).isEqualTo(1);
        assertThat(greenMail.getReceivedMessages()[0].getMessageID()).isEqualTo(pending.get("message_id"));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void untrustedCertificateFailsRun(Transport transport) throws Exception {
        int port = startServer(transport, untrustedServer);

        ExportRun run = runOnce(transport, TestCertificates.HOST, port, SMTP_PASSWORD);

        assertThat(run.getOutcome()).isEqualTo(ExportRun.Outcome.FAILED);
        assertThat(run.getError()).contains("unable to find valid certification path");
        assertNothingSent();
        assertNoCommandsInPlainTextAfterStartTls(transport);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void hostNameMismatchFailsRun(Transport transport) throws Exception {
        int port = startServer(transport, trustedServer);

        // The certificate names only localhost, so connecting by address must fail the identity check.
        ExportRun run = runOnce(transport, "127.0.0.1", port, SMTP_PASSWORD);

        assertThat(run.getOutcome()).isEqualTo(ExportRun.Outcome.FAILED);
        assertThat(run.getError()).contains("CertificateException");
        assertThat(run.getError()).contains("No subject alternative names matching IP address 127.0.0.1");
        assertNothingSent();
        assertNoCommandsInPlainTextAfterStartTls(transport);
    }

    @Test
    void requiredStartTlsRejectsPlainServer() throws Exception {
        // GreenMail's plain SMTP server does not offer STARTTLS.
        GreenMail plain = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        startGreenMail(plain);

        ExportRun run = runOnce(Transport.STARTTLS, TestCertificates.HOST, plain.getSmtp().getPort(),
                SMTP_PASSWORD);

        assertThat(run.getOutcome()).isEqualTo(ExportRun.Outcome.FAILED);
        assertThat(run.getError()).contains("STARTTLS");
        assertNothingSent();
    }

    /** Starts the mail server with the given certificate and returns the port the application connects to. */
    private int startServer(Transport transport, ServerKeyStore serverKeys) throws IOException {
        switch (transport) {
            case SMTPS -> {
                SmtpsGreenMail smtps = SmtpsGreenMail.create(serverKeys.serverContext());
                startGreenMail(smtps);
                return smtps.port();
            }
            case STARTTLS -> {
                GreenMail backend = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
                startGreenMail(backend);
                proxy = StartTlsProxy.start(serverKeys.serverContext(), backend.getSmtp().getPort());
                return proxy.port();
            }
            default -> throw new IllegalArgumentException("Unknown transport " + transport);
        }
    }

    /**
     * Starts GreenMail with the SMTP user and records, for every delivered mail, the user its session
     * authenticated as, or {@code "(none)"}.
     */
    private void startGreenMail(GreenMail server) {
        server.withConfiguration(GreenMailConfiguration.aConfig().withUser(SMTP_USER, SMTP_PASSWORD));
        server.start();
        greenMail = server;

        UserManager users = server.getUserManager();
        MessageDeliveryHandler delivery = users.getMessageDeliveryHandler();
        users.setMessageDeliveryHandler((message, recipient) -> {
            AuthenticationState state = message.getAuthenticationState();
            authenticatedUsers.add(state instanceof UsernameAuthentication user ? user.getUsername() : "(none)");
            return delivery.handle(message, recipient);
        });
    }

    /**
     * Starts the application on the test database, runs the interface once and stops the application. The SMTP
     * password comes from the environment, as in production.
     */
    private ExportRun runOnce(Transport transport, String host, int port, String smtpPassword) {
        Map<String, String> overrides = Map.of(
                "barcode-push.smtp.protocol", transport == Transport.SMTPS ? "smtps" : "smtp",
                "barcode-push.smtp.starttls", Boolean.toString(transport == Transport.STARTTLS),
                "barcode-push.smtp.host", host,
                "barcode-push.smtp.user", SMTP_USER,
                "barcode-push.smtp.trust-store", trustStore.toString(),
                "barcode-push.smtp.trust-store-password", TRUST_STORE_PASSWORD);
        Map<String, String> environment = Map.of("BARCODE_PUSH_SMTP_PASSWORD", smtpPassword);
        InterfaceYaml exportInterface = InterfaceYaml.of(INTERFACE_KEY).set("contactNumbers", CONTACT);
        try (TestApplication application = TestApplication.start(database, port, List.of(exportInterface),
                overrides, environment)) {
            return application.run(INTERFACE_KEY);
        }
    }

    /**
     * Asserts that the run sent the one file, that the server stored it once from a session authenticated as
     * {@link #SMTP_USER}, and that the ledger marks it sent.
     */
    private void assertDelivered(ExportRun run, int expectedAttempts) throws Exception {
        assertThat(run.getOutcome()).as("outcome, error: %s", run.getError()).isEqualTo(ExportRun.Outcome.SUCCEEDED);
        assertThat(run.getTicketsSent()).isEqualTo(1);

        MimeMessage[] received = greenMail.getReceivedMessages();
        assertThat(received).hasSize(1);
        assertThat(Mails.to(received[0])).containsExactly(RECIPIENT);
        assertThat(Mails.attachmentText(received[0])).isEqualTo(EXPECTED_CSV);
        assertThat(authenticatedUsers).as("authenticated user per delivered mail").containsExactly(SMTP_USER);

        Map<String, Object> file = exportFile();
        assertThat(file.get("status")).isEqualTo("SENT");
        assertThat(file.get("attempts")).isEqualTo(expectedAttempts);
        assertThat(file.get("last_error")).isNull();
        assertThat(received[0].getMessageID()).isEqualTo(file.get("message_id"));
    }

    /** Asserts that the server stored no mail and that the file stays pending with one failed attempt. */
    private void assertNothingSent() {
        assertThat(greenMail.getReceivedMessages()).isEmpty();
        assertThat(authenticatedUsers).isEmpty();
        Map<String, Object> file = exportFile();
        assertThat(file.get("status")).isEqualTo("PENDING");
        assertThat(file.get("attempts")).isEqualTo(1);
        assertThat(file.get("last_error")).isNotNull();
        assertThat(database.count("SELECT count(*) FROM barcode_push.export_file WHERE status = 'SENT'")).isZero();
    }

    /** Asserts that a failed STARTTLS upgrade sent no further command, such as AUTH, in plain text. */
    private void assertNoCommandsInPlainTextAfterStartTls(Transport transport) {
        if (transport == Transport.STARTTLS) {
            assertThat(proxy.plaintextCommands()).as("commands sent before TLS").containsExactly("EHLO", "STARTTLS");
        }
    }

    /** Returns the only export file of the interface. */
    private Map<String, Object> exportFile() {
        List<Map<String, Object>> files = database.query("SELECT status, attempts, last_error, message_id"
                + " FROM barcode_push.export_file WHERE interface_key = ?", INTERFACE_KEY);
        assertThat(files).hasSize(1);
        return files.get(0);
    }
}
