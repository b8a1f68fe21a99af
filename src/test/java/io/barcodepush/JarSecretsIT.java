package io.barcodepush;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.barcodepush.support.InterfaceYaml;
import io.barcodepush.support.JarProcess;
import io.barcodepush.support.TestDatabase;
import io.barcodepush.support.Tickets;

/**
 * Secrets reach the jar only through the environment and never appear in its output.
 */
class JarSecretsIT {

    private static final String SMTP_PASSWORD = "smtp-Secret-4711";
    private static final String DB_PASSWORD = "db-Secret-0815";

    @TempDir
    Path workingDirectory;

    private GreenMail greenMail;

    @BeforeAll
    static void jarIsBuilt() {
        JarProcess.requireJar();
    }

    @BeforeEach
    void start() throws Exception {
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("pusher", SMTP_PASSWORD));
        greenMail.start();
        JarProcess.prepareWorkingDirectory(workingDirectory,
                List.of(InterfaceYaml.of("agency").set("contactNumbers", "C-1")));
    }

    @AfterEach
    void stop() {
        greenMail.stop();
    }

    private JarProcess jar(TestDatabase database) {
        return JarProcess.in(workingDirectory)
                .database(database.url())
                .environment("BARCODE_PUSH_DB_PASSWORD", DB_PASSWORD)
                .environment("BARCODE_PUSH_SMTP_HOST", "127.0.0.1")
                .environment("BARCODE_PUSH_SMTP_PORT", Integer.toString(greenMail.getSmtp().getPort()))
                .environment("BARCODE_PUSH_SMTP_USER", "pusher")
                .environment("BARCODE_PUSH_SMTP_PASSWORD", SMTP_PASSWORD);
    }

    @Test
    void passwordsFromEnvironmentAreNeverPrinted() throws Exception {
        try (TestDatabase database = TestDatabase.createWithTicketing()) {
            new Tickets(database).sale("C-1", null).insert();

            JarProcess.Result result = jar(database).run(workingDirectory.resolve("once.log"), "--once");

            assertThat(result.exitStatus()).as(result.describe()).isZero();
            assertThat(greenMail.getReceivedMessages()).hasSize(1);
            assertThat(result.output()).doesNotContain(SMTP_PASSWORD).doesNotContain(DB_PASSWORD);
        }
    }

    @Test
    void passwordInPropertiesFileIsRejected() throws Exception {
        Files.writeString(workingDirectory.resolve("application.properties"),
                "\nbarcode-push.smtp.password = " + SMTP_PASSWORD + "\n", StandardOpenOption.APPEND);
        try (TestDatabase database = TestDatabase.createWithTicketing()) {
            JarProcess.Result result = jar(database).run(workingDirectory.resolve("rejected.log"), "--once");

            assertThat(result.exitStatus()).as(result.describe()).isEqualTo(BarcodePush.EXIT_CONFIGURATION);
            assertThat(result.output()).contains("barcode-push.smtp.password").contains("BARCODE_PUSH_SMTP_PASSWORD")
                    .doesNotContain(SMTP_PASSWORD);
            assertThat(greenMail.getReceivedMessages()).isEmpty();
        }
    }
}
