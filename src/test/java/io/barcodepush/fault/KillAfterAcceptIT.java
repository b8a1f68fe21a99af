package io.barcodepush.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.barcodepush.export.FaultInjection;
import io.barcodepush.support.Deliveries;
import io.barcodepush.support.InterfaceYaml;
import io.barcodepush.support.JarProcess;
import io.barcodepush.support.TestDatabase;
import io.barcodepush.support.Tickets;

/**
 * The jar halts right after the SMTP server accepted a file and before it marks the file sent
 * ({@code barcode-push.fault-injection = halt-after-accept}). The next normal run sends that file once more,
 * unchanged, and nothing else twice.
 */
class KillAfterAcceptIT {

    private static final String KEY = "agency";
    private static final InterfaceYaml AGENCY = InterfaceYaml.of(KEY).set("contactNumbers", "C-1");
    private static final int TICKETS_BEFORE_HALT = 5;
    private static final int TICKETS_AFTER_HALT = 3;
    private static final String HALT_CONFIGURATION = "halt-after-accept.properties";

    @TempDir
    Path workingDirectory;

    private GreenMail greenMail;
    private TestDatabase database;

    @BeforeAll
    static void jarIsBuilt() {
        JarProcess.requireJar();
    }

    @BeforeEach
    void start() {
        database = TestDatabase.createWithTicketing();
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        greenMail.start();
    }

    @AfterEach
    void stop() {
        try {
            greenMail.stop();
        } finally {
            database.close();
        }
    }

    @Test
    void haltAfterAcceptResendsIdenticalFileOnce() throws Exception {
        Tickets tickets = new Tickets(database);
        List<String> created = new ArrayList<>();
        for (int i = 1; i <= TICKETS_BEFORE_HALT; i++) {
            String barCode = "B-first-" + i;
            tickets.sale("C-1", null).barCode(barCode).insert();
            created.add(barCode);
        }
        JarProcess.prepareWorkingDirectory(workingDirectory, List.of(AGENCY));
        // The halted run reads a copy of application.properties with the fault, and the next run the original.
        Files.writeString(workingDirectory.resolve(HALT_CONFIGURATION),
                Files.readString(workingDirectory.resolve("application.properties"), StandardCharsets.UTF_8)
                        + "\nbarcode-push.fault-injection = halt-after-accept\n", StandardCharsets.UTF_8);

        JarProcess.Result halted = jar().run(workingDirectory.resolve("halt-after-accept.log"), "--once",
                "--config=" + HALT_CONFIGURATION);

        assertThat(halted.exitStatus()).as(halted.describe()).isEqualTo(FaultInjection.HALT_STATUS);
        assertThat(halted.output()).as(halted.describe())
                .contains("Fault injected: halting the JVM (HALT_AFTER_ACCEPT) for interface " + KEY);
        assertThat(greenMail.getReceivedMessages()).as("mails after the halt").hasSize(1);
        List<Map<String, Object>> afterHalt = database.query(
                "SELECT file_name, status, attempts, message_id FROM barcode_push.export_file");
        assertThat(afterHalt).as("files after the halt").hasSize(1);
        assertThat(afterHalt.get(0).get("status")).as("status of the accepted file after the halt")
                .isEqualTo("PENDING");
        assertThat(afterHalt.get(0).get("message_id")).as("Message-ID of the accepted file")
                .isEqualTo(greenMail.getReceivedMessages()[0].getMessageID());

        for (int i = 1; i <= TICKETS_AFTER_HALT; i++) {
            String barCode = "B-second-" + i;
            tickets.sale("C-1", null).barCode(barCode).insert();
            created.add(barCode);
        }
        JarProcess.Result restarted = jar().run(workingDirectory.resolve("restart.log"), "--once");

        assertThat(restarted.exitStatus()).as(restarted.describe()).isZero();
        assertThat(restarted.output()).as(restarted.describe())
                .contains("Interface " + KEY + ": sending file " + afterHalt.get(0).get("file_name") + " again");
        List<Deliveries.ReceivedFile> received = Deliveries.parse(greenMail.getReceivedMessages());
        Deliveries.Counts counts = Deliveries.count(created, received);
        System.out.println("KillAfterAcceptIT counts: " + counts.summary());
        int total = TICKETS_BEFORE_HALT + TICKETS_AFTER_HALT;
        counts.assertExactly(total, total, 0, TICKETS_BEFORE_HALT, 1);

        assertThat(received).as("mails in arrival order").hasSize(3);
        assertThat(received.get(1).messageId()).as("Message-ID of the re-send")
                .isEqualTo(received.get(0).messageId());
        assertThat(received.get(1).fileName()).as("file name of the re-send").isEqualTo(received.get(0).fileName());
        assertThat(received.get(1).attachment()).as("bytes of the re-send").isEqualTo(received.get(0).attachment());
        assertThat(received.get(2).barcodes()).as("barcodes of the file after the re-send")
                .containsExactly("B-second-1", "B-second-2", "B-second-3");
        assertThat(database.query("SELECT status, attempts FROM barcode_push.export_file ORDER BY file_id"))
                .as("files after the restart")
                .containsExactly(Map.of("status", "SENT", "attempts", 1), Map.of("status", "SENT", "attempts", 1));
        assertThat(database.count("SELECT count(*) FROM barcode_push.export_file_ticket"))
                .as("tickets in the ledger").isEqualTo(total);
    }

    private JarProcess jar() {
        return JarProcess.in(workingDirectory)
                .database(database.url())
                .environment("BARCODE_PUSH_SMTP_HOST", "127.0.0.1")
                .environment("BARCODE_PUSH_SMTP_PORT", Integer.toString(greenMail.getSmtp().getPort()));
    }
}
