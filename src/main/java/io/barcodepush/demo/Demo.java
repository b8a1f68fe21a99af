package io.barcodepush.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;

import io.barcodepush.Application;
import io.barcodepush.BarcodePush;
import io.barcodepush.Settings;
import io.barcodepush.export.ExportRun;
import io.barcodepush.export.InvalidInterfaceException;

/**
 * The {@code --demo} mode: sample data, one run of every interface, and the mails written to {@code outbox/}.
 */
public final class Demo {

    /** Directory, under the working directory, that receives one .eml file per delivered message. */
    static final Path OUTBOX = Path.of("outbox");

    private Demo() {
    }

    /** Runs the demo and returns the exit status. */
    public static int run(Path config, Path routes, Map<String, String> environment, PrintStream out)
            throws Exception {
        Settings settings = Settings.load(config, environment, Map.of());
        String url = settings.get("barcode-push.db.url");
        Properties credentials = new Properties();
        credentials.setProperty("user", settings.get("barcode-push.db.user", ""));
        credentials.setProperty("password", settings.get("barcode-push.db.password", ""));

        DemoDatabase.createIfMissing(url, credentials);
        try (Connection connection = DriverManager.getConnection(url, credentials)) {
            DemoDatabase.checkOnlyDemoData(connection, url);
            DemoDatabase.reset(connection);
        }

        GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        greenMail.start();
        try {
            Map<String, String> overrides = new HashMap<>();
            overrides.put("camel.component.quartz.auto-start-scheduler", "false");
            overrides.put("barcode-push.smtp.protocol", "smtp");
            overrides.put("barcode-push.smtp.host", "127.0.0.1");
            overrides.put("barcode-push.smtp.port", Integer.toString(greenMail.getSmtp().getPort()));
            overrides.put("barcode-push.smtp.starttls", "false");
            overrides.put("barcode-push.smtp.user", "");
            List<ExportRun> runs;
            List<InvalidInterfaceException> problems;
            try (Application application = Application.create(config, routes, environment, overrides)) {
                application.start();
                runs = application.runAllOnce();
                problems = List.copyOf(application.catalog().problems());
            }
            List<Path> written = writeOutbox(greenMail.getReceivedMessages());
            printSummary(out, runs, problems, written);
            return BarcodePush.reportOutcome(runs, problems);
        } finally {
            greenMail.stop();
        }
    }

    private static List<Path> writeOutbox(MimeMessage[] messages) throws Exception {
        Files.createDirectories(OUTBOX);
        try (DirectoryStream<Path> old = Files.newDirectoryStream(OUTBOX, "*.eml")) {
            for (Path file : old) {
                Files.delete(file);
            }
        }
        List<Path> written = new java.util.ArrayList<>();
        Set<String> messageIds = new HashSet<>();
        int number = 1;
        for (MimeMessage message : messages) {
            // The server keeps one copy per recipient; the outbox keeps each mail once.
            if (!messageIds.add(message.getMessageID())) {
                continue;
            }
            String attachment = attachmentName(message);
            String name = String.format("%03d-%s-%s.eml", number++, interfaceKey(message.getMessageID()),
                    attachment.replaceAll("[^A-Za-z0-9._-]", "_"));
            Path file = OUTBOX.resolve(name);
            try (OutputStream stream = Files.newOutputStream(file)) {
                message.writeTo(stream);
            }
            written.add(file);
        }
        return written;
    }

    /** Returns the interface key that barcode-push puts in its Message-IDs ({@code <uuid.key@host>}). */
    static String interfaceKey(String messageId) {
        int dot = messageId == null ? -1 : messageId.indexOf('.');
        int at = messageId == null ? -1 : messageId.lastIndexOf('@');
        return dot > 0 && at > dot ? messageId.substring(dot + 1, at) : "mail";
    }

    private static String attachmentName(MimeMessage message) throws Exception {
        if (message.getContent() instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                if (multipart.getBodyPart(i).getFileName() != null) {
                    return multipart.getBodyPart(i).getFileName();
                }
            }
        }
        return "message";
    }

    private static void printSummary(PrintStream out, List<ExportRun> runs, List<InvalidInterfaceException> problems,
            List<Path> written) throws IOException {
        out.println();
        out.println("barcode-push demo: one run of every interface in routes/interfaces.camel.yaml");
        out.println();
        out.printf("%-26s %-10s %-8s %s%n", "INTERFACE", "OUTCOME", "TICKETS", "FILES");
        for (ExportRun run : runs) {
            out.printf("%-26s %-10s %-8d %s%n", run.getInterfaceKey(), run.getOutcome(), run.getTicketsSent(),
                    String.join(", ", run.getFilesSent()));
        }
        for (InvalidInterfaceException problem : problems) {
            out.printf("%-26s %-10s %-8s %s%n", problem.interfaceKey(), "INVALID", "-", problem.getMessage());
        }
        out.println();
        out.println(written.size() + " mails delivered to the embedded mail server, saved in "
                + OUTBOX.toAbsolutePath() + ":");
        for (Path file : written) {
            out.println("  " + file + " (" + Files.size(file) + " bytes)");
        }
        out.println();
        out.println("Open an .eml file in a mail client, or look at the tables in schema barcode_push.");
    }
}
