package io.barcodepush.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

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
 * Two instances on one database running the same interface at the same time never send a ticket twice.
 */
class RunLockTest {

    private static final int ROUNDS = 20;
    private static final InterfaceYaml AGENCY = InterfaceYaml.of("agency").set("contactNumbers", "C-1");

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private TestDatabase database;
    private TestApplication first;
    private TestApplication second;

    @BeforeEach
    void start() {
        database = TestDatabase.createWithTicketing();
        first = TestApplication.start(database, MAIL.getSmtp().getPort(), List.of(AGENCY));
        second = TestApplication.start(database, MAIL.getSmtp().getPort(), List.of(AGENCY));
    }

    @AfterEach
    void stop() {
        first.close();
        second.close();
        database.close();
    }

    @Test
    void concurrentRunsSendEachTicketOnce() throws Exception {
        Tickets tickets = new Tickets(database);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<ExportRun> runs = new ArrayList<>();
        int created = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                for (int i = 0; i < 3; i++) {
                    tickets.sale("C-1", null).barCode("B-" + round + "-" + i).insert();
                    created++;
                }
                Future<ExportRun> fromFirst = pool.submit(() -> first.run("agency"));
                Future<ExportRun> fromSecond = pool.submit(() -> second.run("agency"));
                runs.add(fromFirst.get(60, TimeUnit.SECONDS));
                runs.add(fromSecond.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        first.run("agency");

        Map<String, Integer> arrivals = new HashMap<>();
        for (MimeMessage mail : MAIL.getReceivedMessages()) {
            for (String line : Mails.attachmentText(mail).split("\n")) {
                if (line.startsWith("B-")) {
                    arrivals.merge(line.substring(0, line.indexOf(';')), 1, Integer::sum);
                }
            }
        }
        assertThat(arrivals).hasSize(created);
        assertThat(arrivals.values()).allMatch(count -> count == 1);
        assertThat(runs).allMatch(run -> run.getOutcome() == ExportRun.Outcome.SUCCEEDED
                || run.getOutcome() == ExportRun.Outcome.BUSY);
    }
}
