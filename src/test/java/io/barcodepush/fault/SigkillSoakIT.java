package io.barcodepush.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.barcodepush.support.Deliveries;
import io.barcodepush.support.InterfaceYaml;
import io.barcodepush.support.JarProcess;
import io.barcodepush.support.TestApplication;
import io.barcodepush.support.TestDatabase;
import io.barcodepush.support.Tickets;

/**
 * Runs the jar on a one-second schedule for two interfaces while a test thread inserts tickets, kills it with
 * SIGKILL at seeded random moments and starts it again, several times. After a final clean {@code --once} run,
 * every ticket has arrived, none is lost, and every duplicate is an identical re-send.
 *
 * <p>The seed is {@value #DEFAULT_SEED} unless the system property {@code barcode-push.soak.seed} sets another, and
 * the test prints it. The seed fixes the tickets and the kill plan (see {@link #runAndKill}), but not the moment
 * inside a run that a kill hits, which depends on the machine's timing.
 */
class SigkillSoakIT {

    private static final long DEFAULT_SEED = 20261204L;
    private static final String LOG_CONFIGURATION = "log4j2-soak.properties";
    private static final String CRON_EVERY_SECOND = "0/1 * * * * ?";
    private static final int CHECKIN_INTERVAL_MILLIS = 1000;
    /** Interface A pages by a few rows, so its runs often send several files and a kill can fall between them. */
    private static final InterfaceYaml INTERFACE_A = InterfaceYaml.of("soak-a")
            .set("contactNumbers", "C-A").set("cron", CRON_EVERY_SECOND).set("batchSize", "7");
    private static final InterfaceYaml INTERFACE_B = InterfaceYaml.of("soak-b")
            .set("salesChannels", "CH-B").set("cron", CRON_EVERY_SECOND);

    private static final int TICKETS = 300;
    private static final long INSERT_PERIOD_MILLIS = 100;
    private static final int MAX_TICKETS_PER_INSERT = 3;
    private static final int MIN_RUNS = 50;
    private static final int MIN_KILLS = 5;
    private static final int MAX_INSTANCES = 20;
    /** Maximum completed runs an instance waits for before its kill. Zero kills it while it starts. */
    private static final int MAX_RUNS_BEFORE_KILL = 14;
    /** Maximum extra delay in milliseconds before a kill, so the kill can land anywhere in a run. */
    private static final int MAX_KILL_DELAY_MILLIS = 1500;
    /** Maximum delay in milliseconds between a file recorded and a kill that aims at its sending. */
    private static final int MAX_SEND_KILL_DELAY_MILLIS = 20;
    /** Bound for the kill-and-restart phase, which keeps the whole test under its timeout. */
    private static final Duration SOAK_LIMIT = Duration.ofSeconds(150);

    // Lines the product logs once per finished run (ExportRuns, at INFO).
    private static final Pattern RUN_SUCCEEDED = Pattern.compile(
            "Interface (\\S+): (nothing new to send|run finished,)");
    private static final Pattern RUN_FAILED = Pattern.compile("Run of interface (\\S+) failed");
    private static final Pattern RUN_BUSY = Pattern.compile("Interface (\\S+) is busy");
    private static final Pattern FILE_SENT = Pattern.compile("Interface (\\S+): sent file ");
    // Logged at DEBUG, which this test turns on for ExportRuns, once a file and its tickets are committed.
    private static final Pattern FILE_RECORDED = Pattern.compile("Interface (\\S+): recorded file ");
    // Logged when a run sends a pending file, which here means a kill fell between recording and marking sent.
    private static final Pattern PENDING_SENT = Pattern.compile("Interface (\\S+): sending file \\S+ again");

    @TempDir
    Path workingDirectory;

    private GreenMail greenMail;
    private TestDatabase database;
    private ScheduledExecutorService inserter;

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
    void stop() throws InterruptedException {
        try {
            if (inserter != null) {
                inserter.shutdownNow();
                inserter.awaitTermination(30, TimeUnit.SECONDS);
            }
            greenMail.stop();
        } finally {
            database.close();
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void killedInstancesLoseAndDuplicateNothing() throws Exception {
        long seed = Long.getLong("barcode-push.soak.seed", DEFAULT_SEED);
        System.out.println("SigkillSoakIT seed: " + seed);
        Random killPlan = new Random(seed);
        long started = System.nanoTime();
        JarProcess.prepareWorkingDirectory(workingDirectory, List.of(INTERFACE_A, INTERFACE_B));
        // A restarted instance fires the triggers that a killed one had claimed only after Quartz's cluster recovery,
        // the check-in interval plus 7.5 s. A short interval keeps that pause short against a one-second schedule.
        Files.writeString(workingDirectory.resolve("application.properties"),
                "\nbarcode-push.schedule.cluster-checkin-interval-ms = " + CHECKIN_INTERVAL_MILLIS + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        writeLogConfiguration();

        List<String> mapped = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger inserted = new AtomicInteger();
        AtomicReference<RuntimeException> insertFailure = new AtomicReference<>();
        startInserting(new Random(seed + 1), mapped, inserted, insertFailure);

        RunCount runs = new RunCount();
        int kills = 0;
        int instance = 0;
        long soakDeadline = System.nanoTime() + SOAK_LIMIT.toNanos();
        while (kills < MIN_KILLS || runs.completed() < MIN_RUNS || inserted.get() < TICKETS) {
            if (insertFailure.get() != null) {
                throw new AssertionError("Inserting tickets failed", insertFailure.get());
            }
            if (instance == MAX_INSTANCES || System.nanoTime() > soakDeadline) {
                fail("The soak did not reach %d kills, %d runs and %d tickets within %d instances and %s: %d kills,"
                        + " %s, %d tickets", MIN_KILLS, MIN_RUNS, TICKETS, MAX_INSTANCES, SOAK_LIMIT, kills, runs,
                        inserted.get());
            }
            instance++;
            RunCount instanceRuns = runAndKill(instance, killPlan, inserted);
            kills++;
            runs.add(instanceRuns);
        }
        inserter.shutdown();
        assertThat(inserter.awaitTermination(30, TimeUnit.SECONDS)).as("inserter finished").isTrue();
        assertThat(insertFailure.get()).as("failure while inserting tickets").isNull();

        JarProcess.Result last = jar().run(workingDirectory.resolve("final-once.log"), "--once");

        assertThat(last.exitStatus()).as(last.describe()).isZero();
        runs.add(RunCount.of(last.output()));
        List<Deliveries.ReceivedFile> received = Deliveries.parse(greenMail.getReceivedMessages());
        Deliveries.Counts counts = Deliveries.count(mapped, received);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        System.out.printf("SigkillSoakIT seed %d: %d instances, %d kills, %s, %d tickets inserted, %d s%n", seed,
                instance, kills, runs, inserted.get(), seconds);
        System.out.println("SigkillSoakIT counts: " + counts.summary());

        assertThat(runs.completed()).as("completed runs; %s", runs).isGreaterThanOrEqualTo(MIN_RUNS);
        assertThat(inserted.get()).as("tickets inserted").isEqualTo(TICKETS);
        counts.assertExactly(mapped.size(), mapped.size(), 0, barcodesInResentFiles(received),
                counts.mails() - counts.distinctMessageIds());
        assertThat(database.query("SELECT status, count(*) AS files FROM barcode_push.export_file GROUP BY status"))
                .as("files per status in the ledger").containsExactly(Map.of("status", "SENT",
                        "files", (long) counts.distinctMessageIds()));
        assertThat(database.count("SELECT count(*) FROM barcode_push.export_file_ticket"))
                .as("tickets in the ledger").isEqualTo(mapped.size());
    }

    /**
     * Starts one instance on the schedule and kills it with SIGKILL. The kill plan waits for a seeded number of
     * finished runs, then, chosen by the seed, either for a random delay of up to {@value #MAX_KILL_DELAY_MILLIS}
     * ms, or for the next file the instance records plus up to {@value #MAX_SEND_KILL_DELAY_MILLIS} ms. The second
     * kind aims at the moments between recording a file and marking it sent, where a kill leaves a pending file.
     */
    private RunCount runAndKill(int instance, Random killPlan, AtomicInteger inserted) throws Exception {
        int runsBeforeKill = killPlan.nextInt(MAX_RUNS_BEFORE_KILL + 1);
        boolean afterNextRecord = killPlan.nextBoolean();
        int delayMillis = killPlan.nextInt((afterNextRecord ? MAX_SEND_KILL_DELAY_MILLIS : MAX_KILL_DELAY_MILLIS)
                + 1);
        Path log = workingDirectory.resolve("instance-" + instance + ".log");
        try (JarProcess.Running running = jar().start(log)) {
            awaitLog(running, instance, runsBeforeKill + " finished runs", Duration.ofMillis(50),
                    count -> count.completed() >= runsBeforeKill);
            if (afterNextRecord) {
                RunCount before = RunCount.of(running.output());
                // Once every ticket is inserted no new file may come, so two more finished runs end the wait.
                awaitLog(running, instance, "the next file recorded", Duration.ofMillis(5),
                        count -> count.filesRecorded > before.filesRecorded
                                || (inserted.get() >= TICKETS && count.completed() >= before.completed() + 2));
            }
            // Waiting on the process bounds the extra delay and notices an instance that exits early.
            if (running.waitFor(delayMillis, TimeUnit.MILLISECONDS)) {
                fail("Instance %d exited before its kill:%n%s", instance, running.describe());
            }
            running.kill();
            RunCount instanceRuns = RunCount.of(running.output());
            System.out.printf("SigkillSoakIT instance %d: killed %d ms after %s, plan %d runs; %s%n", instance,
                    delayMillis, afterNextRecord ? "the next file recorded" : "the planned runs", runsBeforeKill,
                    instanceRuns);
            return instanceRuns;
        }
    }

    /** Waits until the instance's log satisfies the condition, and fails if the instance exits first. */
    private static void awaitLog(JarProcess.Running running, int instance, String what, Duration pollInterval,
            Predicate<RunCount> condition) {
        await("instance " + instance + ": " + what)
                .atMost(Duration.ofSeconds(60))
                .pollInterval(pollInterval)
                .until(() -> {
                    if (!running.isAlive()) {
                        fail("Instance %d exited before its kill:%n%s", instance, running.describe());
                    }
                    return condition.test(RunCount.of(running.output()));
                });
    }

    /**
     * Inserts 0 to {@value #MAX_TICKETS_PER_INSERT} tickets every {@value #INSERT_PERIOD_MILLIS} ms until
     * {@value #TICKETS} exist. About 45 % go to each interface, the rest to a contact no interface maps, and these
     * must never arrive.
     */
    private void startInserting(Random random, List<String> mapped, AtomicInteger inserted,
            AtomicReference<RuntimeException> failure) {
        Tickets tickets = new Tickets(database);
        inserter = Executors.newSingleThreadScheduledExecutor();
        inserter.scheduleAtFixedRate(() -> {
            try {
                insertSome(tickets, random, mapped, inserted);
            } catch (RuntimeException e) {
                failure.set(e);
                inserter.shutdown();
            }
        }, 0, INSERT_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void insertSome(Tickets tickets, Random random, List<String> mapped, AtomicInteger inserted) {
        int count = Math.min(random.nextInt(MAX_TICKETS_PER_INSERT + 1), TICKETS - inserted.get());
        for (int i = 0; i < count; i++) {
            int number = inserted.incrementAndGet();
            int target = random.nextInt(100);
            String barCode = "SOAK-" + number;
            if (target < 45) {
                tickets.sale("C-A", null).barCode(barCode).insert();
                mapped.add(barCode);
            } else if (target < 90) {
                tickets.sale(null, "CH-B").barCode(barCode).insert();
                mapped.add(barCode);
            } else {
                tickets.sale("C-UNMAPPED", null).barCode(barCode).insert();
            }
        }
        if (inserted.get() >= TICKETS) {
            inserter.shutdown();
        }
    }

    /** Returns the number of distinct barcodes in files that arrived more than once. */
    private static int barcodesInResentFiles(List<Deliveries.ReceivedFile> received) {
        Map<String, Integer> arrivalsByMessageId = new HashMap<>();
        received.forEach(file -> arrivalsByMessageId.merge(file.messageId(), 1, Integer::sum));
        return (int) received.stream()
                .filter(file -> arrivalsByMessageId.get(file.messageId()) > 1)
                .flatMap(file -> file.barcodes().stream())
                .distinct()
                .count();
    }

    /** Writes the jar's own Log4j 2 configuration with ExportRuns at DEBUG, which logs each recorded file. */
    private void writeLogConfiguration() throws IOException {
        String shipped = Files.readString(TestApplication.REPOSITORY.resolve("src/main/resources/log4j2.properties"),
                StandardCharsets.UTF_8);
        Files.writeString(workingDirectory.resolve(LOG_CONFIGURATION), shipped
                + "\nlogger.runs.name = io.barcodepush.export.ExportRuns\nlogger.runs.level = DEBUG\n",
                StandardCharsets.UTF_8);
    }

    private JarProcess jar() {
        return JarProcess.in(workingDirectory)
                .jvmOptions("-Dlog4j2.configurationFile=" + workingDirectory.resolve(LOG_CONFIGURATION))
                .database(database.url())
                .environment("BARCODE_PUSH_SMTP_HOST", "127.0.0.1")
                .environment("BARCODE_PUSH_SMTP_PORT", Integer.toString(greenMail.getSmtp().getPort()));
    }

    /**
     * Runs counted from the product's log lines: succeeded, failed, busy (the lock was held elsewhere), the files
     * they sent, and the pending files they took up again.
     */
    private static final class RunCount {
        private int succeeded;
        private int failed;
        private int busy;
        private int pendingSent;
        private int filesSent;
        private int filesRecorded;

        static RunCount of(String output) {
            RunCount count = new RunCount();
            count.succeeded = occurrences(RUN_SUCCEEDED, output);
            count.failed = occurrences(RUN_FAILED, output);
            count.busy = occurrences(RUN_BUSY, output);
            count.pendingSent = occurrences(PENDING_SENT, output);
            count.filesSent = occurrences(FILE_SENT, output);
            count.filesRecorded = occurrences(FILE_RECORDED, output);
            return count;
        }

        private static int occurrences(Pattern pattern, String output) {
            Matcher matcher = pattern.matcher(output);
            int found = 0;
            while (matcher.find()) {
                found++;
            }
            return found;
        }

        void add(RunCount other) {
            succeeded += other.succeeded;
            failed += other.failed;
            busy += other.busy;
            pendingSent += other.pendingSent;
            filesSent += other.filesSent;
            filesRecorded += other.filesRecorded;
        }

        int completed() {
            return succeeded + failed;
        }

        @Override
        public String toString() {
            return completed() + " runs completed (" + succeeded + " succeeded, " + failed + " failed), " + busy
                    + " busy, " + filesRecorded + " files recorded, " + filesSent + " files sent, " + pendingSent
                    + " pending files taken up again";
        }
    }
}
