package io.barcodepush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import io.barcodepush.support.JarProcess;
import io.barcodepush.support.Mails;
import io.barcodepush.support.TestDatabase;

/**
 * Runs {@code java -jar target/barcode-push.jar --demo} in a child JVM, as a user would, and checks the mails it
 * writes to {@code outbox/} and the database it creates.
 */
class JarDemoIT {

    private static final String CSV_HEADER = "BAR_CODE;TICKET_STATE;FILE_NUMBER;PRODUCT_CODE;PRODUCT_NAME;"
            + "VALIDITY_DATE;TARIFF_CODE;TARIFF_NAME;PRICE;ORDER_DATE;CONTACT_NUMBER\n";

    private static final Pattern DATABASE_URL = Pattern.compile("(jdbc:postgresql://[^/]*/)([A-Za-z0-9_]+)(\\?.*)?");

    /** Databases that a test names and the demo creates, dropped after each test. */
    private final List<String> createdDatabases = new ArrayList<>();

    @TempDir
    Path workingDirectory;

    @BeforeAll
    static void jarIsBuilt() {
        JarProcess.requireJar();
    }

    @AfterEach
    void dropDatabases() throws SQLException {
        try (Connection admin = DriverManager.getConnection(TestDatabase.ADMIN_URL, TestDatabase.USER,
                TestDatabase.PASSWORD); Statement statement = admin.createStatement()) {
            for (String name : createdDatabases) {
                statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    @Test
    void demoCreatesDatabaseAndWritesOutbox() throws Exception {
        JarProcess.prepareWorkingDirectory(workingDirectory, null);
        String databaseName = "barcode_push_demo_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        createdDatabases.add(databaseName);
        assertThat(databaseExists(databaseName)).as("database %s before the demo", databaseName).isFalse();
        String url = urlOf(databaseName);
        Map<String, List<String>> recipientsByInterface = recipientsFromRoutes(workingDirectory.resolve("routes"));

        JarProcess.Result first = runDemo(url, "demo-1.log");

        assertThat(first.exitStatus()).as(first.describe()).isZero();
        assertThat(databaseExists(databaseName)).as("database %s after the demo", databaseName).isTrue();
        DemoOutcome firstOutcome = checkOutcome(first, url, recipientsByInterface);

        JarProcess.Result second = runDemo(url, "demo-2.log");

        assertThat(second.exitStatus()).as(second.describe()).isZero();
        DemoOutcome secondOutcome = checkOutcome(second, url, recipientsByInterface);
        assertThat(secondOutcome.rowCounts()).as("row counts after the second demo").isEqualTo(
                firstOutcome.rowCounts());
        assertThat(secondOutcome.attachmentRowsByInterface()).as("attachment rows per interface, second demo")
                .isEqualTo(firstOutcome.attachmentRowsByInterface());
        assertThat(secondOutcome.mailCount()).as("mails in outbox/ after the second demo")
                .isEqualTo(firstOutcome.mailCount());
    }

    @Test
    void demoRejectsDatabaseWithForeignTable() throws Exception {
        JarProcess.prepareWorkingDirectory(workingDirectory, null);
        try (TestDatabase database = TestDatabase.createEmpty()) {
            database.execute("CREATE TABLE public.customer (customer_id bigint PRIMARY KEY, name text NOT NULL)");
            database.execute("INSERT INTO public.customer (customer_id, name) VALUES (1, 'Real customer')");

            JarProcess.Result result = runDemo(database.url(), "demo-foreign.log");

            assertThat(result.exitStatus()).as(result.describe()).isEqualTo(2);
            assertThat(result.output()).as(result.describe()).contains("public.customer");
            assertThat(database.count("SELECT count(*) FROM public.customer")).as("rows in public.customer")
                    .isEqualTo(1);
            assertThat(database.count("SELECT count(*) FROM pg_namespace WHERE nspname IN ('ticketing',"
                    + " 'barcode_push')")).as("demo schemas in a rejected database").isZero();
            assertThat(workingDirectory.resolve("outbox")).as("outbox of a rejected demo").doesNotExist();
        }
    }

    private JarProcess.Result runDemo(String url, String logName) throws IOException, InterruptedException {
        return JarProcess.in(workingDirectory).database(url).run(workingDirectory.resolve(logName), "--demo");
    }

    /** Checks one demo's outbox, summary and ledger, and returns what the next demo must repeat. */
    private DemoOutcome checkOutcome(JarProcess.Result result, String url,
            Map<String, List<String>> recipientsByInterface) throws Exception {
        Map<String, String> interfaceByMessageId = new TreeMap<>();
        Map<String, Long> ledgerRowsByInterface = new TreeMap<>();
        Map<String, Long> rowCounts = new LinkedHashMap<>();
        try (Connection connection = DriverManager.getConnection(url, TestDatabase.USER, TestDatabase.PASSWORD);
                Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery(
                    "SELECT message_id, interface_key, row_count, status FROM barcode_push.export_file")) {
                while (rows.next()) {
                    assertThat(rows.getString("status")).as("status of %s", rows.getString("message_id"))
                            .isEqualTo("SENT");
                    interfaceByMessageId.put(rows.getString("message_id"), rows.getString("interface_key"));
                    ledgerRowsByInterface.merge(rows.getString("interface_key"), rows.getLong("row_count"),
                            Long::sum);
                }
            }
            for (String table : List.of("ticketing.ticket", "ticketing.sales_order", "barcode_push.export_interface",
                    "barcode_push.interface_mapping", "barcode_push.export_file", "barcode_push.export_file_ticket",
                    "barcode_push.rejected_ticket")) {
                try (ResultSet count = statement.executeQuery("SELECT count(*) FROM " + table)) {
                    count.next();
                    rowCounts.put(table, count.getLong(1));
                }
            }
        }
        assertThat(interfaceByMessageId).as("files in the ledger").isNotEmpty();

        List<Path> mails = outboxMails();
        assertThat(mails).as("one .eml in outbox/ per file in the ledger").hasSize(interfaceByMessageId.size());
        Map<String, Long> attachmentRowsByInterface = new TreeMap<>();
        Session session = Session.getInstance(new Properties());
        for (Path mail : mails) {
            MimeMessage message;
            try (InputStream in = Files.newInputStream(mail)) {
                message = new MimeMessage(session, in);
            }
            String interfaceKey = interfaceByMessageId.get(message.getMessageID());
            assertThat(interfaceKey).as("interface of %s (Message-ID %s)", mail, message.getMessageID()).isNotNull();
            assertThat(Mails.to(message)).as("recipients of %s for interface %s", mail, interfaceKey)
                    .containsExactlyElementsOf(recipientsByInterface.get(interfaceKey));

            byte[] attachment = Mails.attachmentBytes(message);
            assertThat(startsWith(attachment, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}))
                    .as("%s starts with a UTF-8 BOM", mail).isFalse();
            String text = decodeUtf8(attachment, mail);
            assertThat(text.substring(0, Math.min(text.length(), CSV_HEADER.length())))
                    .as("header line of the attachment in %s", mail).isEqualTo(CSV_HEADER);
            assertThat(indexOf(attachment, (byte) '\r')).as("position of the first CR in %s", mail).isEqualTo(-1);
            assertThat(attachment[attachment.length - 1]).as("last byte of %s", mail).isEqualTo((byte) '\n');
            long dataRows = text.chars().filter(c -> c == '\n').count() - 1;
            attachmentRowsByInterface.merge(interfaceKey, dataRows, Long::sum);
        }
        assertThat(attachmentRowsByInterface.keySet()).as("interfaces that received a mail")
                .containsExactlyInAnyOrderElementsOf(recipientsByInterface.keySet());
        assertThat(attachmentRowsByInterface).as("attachment rows per interface against the ledger")
                .isEqualTo(ledgerRowsByInterface);

        String summary = summaryOf(result);
        for (String interfaceKey : recipientsByInterface.keySet()) {
            assertThat(summary).as("summary line of interface %s", interfaceKey)
                    .containsPattern("(?m)^" + Pattern.quote(interfaceKey) + " +SUCCEEDED +"
                            + ledgerRowsByInterface.get(interfaceKey) + " ");
        }
        assertThat(summary).as("mail count in the summary")
                .contains(mails.size() + " mails delivered to the embedded mail server");
        return new DemoOutcome(rowCounts, attachmentRowsByInterface, mails.size());
    }

    /** What one demo leaves behind that the next demo in the same directory must repeat. */
    private record DemoOutcome(Map<String, Long> rowCounts, Map<String, Long> attachmentRowsByInterface,
            int mailCount) {
    }

    /** Returns the part of the output from the summary's title line on, so log lines cannot satisfy a check. */
    private static String summaryOf(JarProcess.Result result) {
        int start = result.output().indexOf("barcode-push demo: one run of every interface");
        if (start < 0) {
            fail("The demo printed no summary.\n" + result.describe());
        }
        return result.output().substring(start);
    }

    private List<Path> outboxMails() throws IOException {
        Path outbox = workingDirectory.resolve("outbox");
        assertThat(outbox).as("outbox/ in the working directory").isDirectory();
        List<Path> mails = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(outbox)) {
            for (Path file : files) {
                assertThat(file.getFileName().toString()).as("file in outbox/").endsWith(".eml");
                mails.add(file);
            }
        }
        mails.sort(null);
        return mails;
    }

    /** Reads interface keys and recipients from routes/interfaces.camel.yaml, in file order. */
    private static Map<String, List<String>> recipientsFromRoutes(Path routes) throws IOException {
        String yaml = Files.readString(routes.resolve("interfaces.camel.yaml"));
        Map<String, List<String>> recipients = new LinkedHashMap<>();
        List<?> entries = (List<?>) new Load(LoadSettings.builder().build()).loadFromString(yaml);
        for (Object entry : entries) {
            Map<?, ?> templatedRoute = (Map<?, ?>) ((Map<?, ?>) entry).get("templatedRoute");
            if (templatedRoute == null) {
                continue;
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            for (Object parameter : (List<?>) templatedRoute.get("parameters")) {
                Map<?, ?> pair = (Map<?, ?>) parameter;
                parameters.put(String.valueOf(pair.get("name")), String.valueOf(pair.get("value")));
            }
            List<String> addresses = Stream.of(parameters.get("recipients").split("[,;]"))
                    .map(String::trim)
                    .filter(address -> !address.isEmpty())
                    .toList();
            recipients.put(parameters.get("key"), addresses);
        }
        assertThat(recipients).as("interfaces in routes/interfaces.camel.yaml").isNotEmpty();
        return recipients;
    }

    private static String urlOf(String databaseName) {
        Matcher matcher = DATABASE_URL.matcher(TestDatabase.ADMIN_URL);
        if (!matcher.matches()) {
            fail("BARCODE_PUSH_TEST_DB_URL must look like jdbc:postgresql://HOST:PORT/DB, got "
                    + TestDatabase.ADMIN_URL);
        }
        return matcher.group(1) + databaseName + (matcher.group(3) == null ? "" : matcher.group(3));
    }

    private static boolean databaseExists(String name) throws SQLException {
        try (Connection admin = DriverManager.getConnection(TestDatabase.ADMIN_URL, TestDatabase.USER,
                TestDatabase.PASSWORD);
                var statement = admin.prepareStatement("SELECT count(*) FROM pg_database WHERE datname = ?")) {
            statement.setString(1, name);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getLong(1) == 1;
            }
        }
    }

    private static String decodeUtf8(byte[] bytes, Path source) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return fail("The attachment in " + source + " is not valid UTF-8: " + e);
        }
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static int indexOf(byte[] bytes, byte value) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
