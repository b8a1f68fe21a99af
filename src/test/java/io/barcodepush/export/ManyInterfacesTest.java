package io.barcodepush.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.barcodepush.support.InterfaceYaml;
import io.barcodepush.support.TestApplication;
import io.barcodepush.support.TestDatabase;
import io.barcodepush.support.Tickets;

/**
 * Fifty interfaces due at the same moment, run by as many threads as Quartz has, with the shipped pool size.
 */
class ManyInterfacesTest {

    private static final int INTERFACES = 50;
    /** The scheduler's thread count as shipped (barcode-push.schedule.threads). */
    private static final int SCHEDULER_THREADS = 10;

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    @Test
    void fiftyInterfacesCompleteTogether() throws Exception {
        List<InterfaceYaml> interfaces = new ArrayList<>();
        try (TestDatabase database = TestDatabase.createWithTicketing()) {
            Tickets tickets = new Tickets(database);
            for (int i = 0; i < INTERFACES; i++) {
                interfaces.add(InterfaceYaml.of("reseller-" + i).set("contactNumbers", "C-" + i));
                tickets.sale("C-" + i, null).insert();
            }
            List<ExportRun> runs = new ArrayList<>();
            ExecutorService threads = Executors.newFixedThreadPool(SCHEDULER_THREADS);
            try (TestApplication application = TestApplication.start(database, MAIL.getSmtp().getPort(), interfaces)) {
                List<Future<ExportRun>> pending = new ArrayList<>();
                for (int i = 0; i < INTERFACES; i++) {
                    String key = "reseller-" + i;
                    pending.add(threads.submit(() -> application.run(key)));
                }
                for (Future<ExportRun> run : pending) {
                    runs.add(run.get(120, TimeUnit.SECONDS));
                }
            } finally {
                threads.shutdownNow();
            }

            assertThat(runs).extracting(ExportRun::getOutcome).containsOnly(ExportRun.Outcome.SUCCEEDED);
            assertThat(MAIL.getReceivedMessages()).hasSize(INTERFACES);
            assertThat(database.count("SELECT count(*) FROM barcode_push.export_file WHERE status = 'SENT'"))
                    .isEqualTo(INTERFACES);
        }
    }
}
