package io.barcodepush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import org.awaitility.core.ConditionTimeoutException;
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
 * Two instances of the jar on one database form a cluster. While tickets keep arriving, each fire of an interface's
 * 2-second cron runs on one instance. Then one instance is killed, and the other one takes over its triggers.
 * Every ticket reaches the mail server exactly once.
 */
class ClusterFailoverIT {

    private static final String CRON = "0/2 * * * * ?";
    private static final long CRON_PERIOD_MS = 2000;
    private static final List<String> INTERFACE_KEYS = List.of("north", "south", "east");
    /** Runs of every interface while both instances run, and again by the survivor after the kill. */
    private static final int RUNS_PER_PHASE = 10;
    private static final int MAX_TICKETS = 300;
    private static final long INSERT_PERIOD_MS = 200;
    /** Cluster check-in interval of the instances. Quartz 2.5 declares an instance failed 7.5 s after a missed one. */
    private static final int CHECKIN_INTERVAL_MS = 1000;

    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    /** The line that ends every run that read the feed, so there is one per fire. */
    private static final Pattern RUN_END = Pattern.compile(
            "^(\\S+ \\S+) .* Interface ([a-z0-9-]+): (?:nothing new to send|run finished|run ended waiting)",
            Pattern.MULTILINE);
    private static final Pattern FILE_SENT = Pattern.compile("^\\S+ \\S+ .* Interface ([a-z0-9-]+): sent file ",
            Pattern.MULTILINE);
    private static final Pattern BUSY_OR_FAILED = Pattern.compile("is busy: another run|Run of interface .* failed");

    @TempDir
    Path workingRoot;

    private GreenMail greenMail;
    private TestDatabase database;

    @BeforeAll
    static void jarIsBuilt() {
        JarProcess.requireJar();
    }

    @BeforeEach
    void startServers() {
        greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        greenMail.start();
        database = TestDatabase.createWithTicketing();
    }

    @AfterEach
    void stopServers() {
        greenMail.stop();
        database.close();
    }

    @Test
    void survivorTakesOverAndTicketsSentOnce() throws Exception {
        Path first = configure("instance-a");
        Path second = configure("instance-b");
        Map<String, String> interfaceByBarcode = new ConcurrentHashMap<>();
        AtomicReference<Throwable> insertFailure = new AtomicReference<>();
        ScheduledExecutorService inserter = Executors.newSingleThreadScheduledExecutor();

        // The second instance starts once the first has joined the cluster, so it finds the schema migrated.
        try (JarProcess.Running victim = start(first); JarProcess.Running survivor = start(second)) {
            startInserting(inserter, interfaceByBarcode, insertFailure);
            Set<String> inserted;
            Instant killedAt;
            int survivorOutputAtKill;
            try {
                awaitSharedRuns(victim, survivor);

                killBetweenFires(victim);
                killedAt = Instant.now();
                survivorOutputAtKill = survivor.output().length();

                await("survivor runs every interface after the kill").atMost(Duration.ofSeconds(45))
                        .pollInterval(Duration.ofMillis(250))
                        .failFast("the surviving instance exited", () -> !survivor.isAlive())
                        .until(() -> runsPerInterface(survivor.output().substring(survivorOutputAtKill)).values()
                                .stream().allMatch(runs -> runs >= RUNS_PER_PHASE));
                stopInserting(inserter);
                inserted = Set.copyOf(interfaceByBarcode.keySet());
                await("every inserted ticket mailed").atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> barcodeCounts().keySet().containsAll(inserted));
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(e.getMessage() + "\nInstance A: " + victim.describe() + "\nInstance B: "
                        + survivor.describe(), e);
            }

            assertThat(insertFailure.get()).as("failure of the ticket inserter").isNull();
            assertThat(inserted.size()).as("tickets inserted").isBetween(RUNS_PER_PHASE, MAX_TICKETS);
            checkEachTicketMailedOnce(inserted, interfaceByBarcode);

            String survivorAfterKill = survivor.output().substring(survivorOutputAtKill);
            assertThat(interfacesWithFileSent(survivorAfterKill))
                    .as("interfaces the survivor mailed after the kill at %s", killedAt)
                    .containsExactlyInAnyOrderElementsOf(INTERFACE_KEYS);
            assertThat(busyOrFailedRuns(victim.output())).as("busy or failed runs of instance A").isEmpty();
            assertThat(busyOrFailedRuns(survivor.output())).as("busy or failed runs of instance B").isEmpty();
            checkOneRunPerFire(victim.output(), survivor.output());
        } finally {
            stopInserting(inserter);
        }
    }

    /** Waits until every interface has run often enough, and each instance at least once. */
    private static void awaitSharedRuns(JarProcess.Running first, JarProcess.Running second) {
        await("both instances share the runs").atMost(Duration.ofSeconds(45))
                .pollInterval(Duration.ofMillis(250))
                .failFast("an instance exited", () -> !first.isAlive() || !second.isAlive())
                .until(() -> {
                    boolean enoughRuns = runsPerInterface(first.output(), second.output()).values().stream()
                            .allMatch(runs -> runs >= RUNS_PER_PHASE);
                    return enoughRuns && !runEnds(first.output()).isEmpty() && !runEnds(second.output()).isEmpty();
                });
    }

    /**
     * Kills the instance in the middle between two fires, when no run is in progress. A run killed after the mail
     * server accepted a file but before the ledger marked it sent would send that file again, by design.
     */
    private static void killBetweenFires(JarProcess.Running instance) throws InterruptedException {
        await("middle between two fires").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    long inPeriod = System.currentTimeMillis() % CRON_PERIOD_MS;
                    return inPeriod >= 900 && inPeriod <= 1100;
                });
        instance.kill();
    }

    /** Checks that every inserted barcode is in exactly one attachment, mailed to its interface. */
    private void checkEachTicketMailedOnce(Set<String> inserted, Map<String, String> interfaceByBarcode)
            throws Exception {
        Map<String, Integer> counts = barcodeCounts();
        Map<String, Integer> duplicates = new TreeMap<>(counts);
        duplicates.values().removeIf(count -> count == 1);
        long lost = inserted.stream().filter(barcode -> !counts.containsKey(barcode)).count();
        System.out.println("ClusterFailoverIT counts: created=" + inserted.size() + " delivered="
                + (inserted.size() - lost) + " lost=" + lost + " duplicated=" + duplicates.size() + " mails="
                + greenMail.getReceivedMessages().length);
        assertThat(duplicates).as("barcodes mailed more than once").isEmpty();
        assertThat(counts.keySet()).as("barcodes mailed").containsExactlyInAnyOrderElementsOf(inserted);

        for (MimeMessage message : greenMail.getReceivedMessages()) {
            for (String barcode : barcodes(message)) {
                assertThat(Mails.to(message)).as("recipients of the mail with %s", barcode)
                        .containsExactly(interfaceByBarcode.get(barcode) + "@reseller.example");
            }
        }
    }

    /** Copies the configuration into a working directory of its own, with a fast cluster check-in. */
    private Path configure(String name) throws IOException {
        Path directory = Files.createDirectory(workingRoot.resolve(name));
        List<InterfaceYaml> interfaces = new ArrayList<>();
        for (String key : INTERFACE_KEYS) {
            interfaces.add(InterfaceYaml.of(key).set("contactNumbers", contactOf(key)).set("cron", CRON));
        }
        JarProcess.prepareWorkingDirectory(directory, interfaces);
        Files.writeString(directory.resolve("application.properties"), "\n# Added by ClusterFailoverIT\n"
                + "barcode-push.schedule.cluster-checkin-interval-ms = " + CHECKIN_INTERVAL_MS + "\n"
                + "barcode-push.schedule.threads = 4\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        return directory;
    }

    /** Starts the jar in its scheduled mode and waits until its scheduler has joined the cluster. */
    private JarProcess.Running start(Path directory) throws IOException, InterruptedException {
        JarProcess.Running running = JarProcess.in(directory)
                .jvmOptions("-Duser.timezone=UTC")
                .database(database.url())
                .environment("BARCODE_PUSH_SMTP_HOST", "127.0.0.1")
                .environment("BARCODE_PUSH_SMTP_PORT", Integer.toString(greenMail.getSmtp().getPort()))
                .start(directory.resolve("barcode-push.log"));
        int before = checkedInInstances();
        try {
            await("instance in " + directory.getFileName() + " checked in").atMost(Duration.ofSeconds(40))
                    .pollInterval(Duration.ofMillis(200))
                    .failFast("the instance exited", () -> !running.isAlive())
                    .until(() -> checkedInInstances() > before);
        } catch (RuntimeException e) {
            String output = running.describe();
            running.close();
            throw new AssertionError("The instance in " + directory + " did not join the cluster: " + e.getMessage()
                    + "\n" + output, e);
        }
        return running;
    }

    private int checkedInInstances() {
        if (database.count("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'barcode_push'"
                + " AND tablename = 'qrtz_scheduler_state'") == 0) {
            return 0;
        }
        return (int) database.count("SELECT count(*) FROM barcode_push.qrtz_scheduler_state");
    }

    private void startInserting(ScheduledExecutorService inserter, Map<String, String> interfaceByBarcode,
            AtomicReference<Throwable> failure) {
        Tickets tickets = new Tickets(database);
        AtomicInteger number = new AtomicInteger();
        inserter.scheduleAtFixedRate(() -> {
            int next = number.getAndIncrement();
            if (next >= MAX_TICKETS || failure.get() != null) {
                return;
            }
            String key = INTERFACE_KEYS.get(next % INTERFACE_KEYS.size());
            String barcode = String.format("IT-%05d", next);
            try {
                tickets.sale(contactOf(key), null).barCode(barcode).insert();
                interfaceByBarcode.put(barcode, key);
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        }, 0, INSERT_PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** Stops the inserter without interrupting an insert in progress. */
    private static void stopInserting(ScheduledExecutorService inserter) throws InterruptedException {
        inserter.shutdown();
        assertThat(inserter.awaitTermination(10, TimeUnit.SECONDS)).as("ticket inserter stopped").isTrue();
    }

    /** Counts how often each barcode appears in the attachments of all mails received. */
    private Map<String, Integer> barcodeCounts() throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        for (MimeMessage message : greenMail.getReceivedMessages()) {
            for (String barcode : barcodes(message)) {
                counts.merge(barcode, 1, Integer::sum);
            }
        }
        return counts;
    }

    private static List<String> barcodes(MimeMessage message) throws Exception {
        List<String> barcodes = new ArrayList<>();
        String[] lines = Mails.attachmentText(message).split("\n");
        for (int i = 1; i < lines.length; i++) {
            barcodes.add(lines[i].substring(0, lines[i].indexOf(';')));
        }
        return barcodes;
    }

    /**
     * Checks that no fire ran on both instances. For each interface, the runs in both logs together must not
     * outnumber the fires of the cron between the first and the last run, with one run of tolerance. Two schedulers
     * without a cluster would run about twice as often.
     */
    private static void checkOneRunPerFire(String... logs) {
        Map<String, List<LocalDateTime>> runs = new TreeMap<>();
        for (String log : logs) {
            runEnds(log).forEach(run -> runs.computeIfAbsent(run.key(), key -> new ArrayList<>()).add(run.time()));
        }
        for (String key : INTERFACE_KEYS) {
            List<LocalDateTime> times = runs.getOrDefault(key, List.of()).stream().sorted().toList();
            assertThat(times).as("runs of interface %s", key).isNotEmpty();
            long spanMs = Duration.between(times.get(0), times.get(times.size() - 1)).toMillis();
            long fires = Math.round((double) spanMs / CRON_PERIOD_MS) + 1;
            assertThat(times.size()).as("runs of interface %s from %s to %s, %d fires of the cron", key,
                    times.get(0), times.get(times.size() - 1), fires).isLessThanOrEqualTo((int) fires + 1);
        }
    }

    private record RunEnd(String key, LocalDateTime time) {
    }

    private static List<RunEnd> runEnds(String log) {
        List<RunEnd> ends = new ArrayList<>();
        Matcher matcher = RUN_END.matcher(log);
        while (matcher.find()) {
            ends.add(new RunEnd(matcher.group(2), LocalDateTime.parse(matcher.group(1), LOG_TIME)));
        }
        return ends;
    }

    private static Set<String> interfacesWithFileSent(String log) {
        Set<String> keys = new TreeSet<>();
        Matcher matcher = FILE_SENT.matcher(log);
        while (matcher.find()) {
            keys.add(matcher.group(1));
        }
        return keys;
    }

    private static List<String> busyOrFailedRuns(String log) {
        return log.lines().filter(line -> BUSY_OR_FAILED.matcher(line).find()).toList();
    }

    private static Map<String, Integer> runsPerInterface(String... logs) {
        Map<String, Integer> runs = new TreeMap<>();
        INTERFACE_KEYS.forEach(key -> runs.put(key, 0));
        for (String log : logs) {
            runEnds(log).forEach(run -> runs.merge(run.key(), 1, Integer::sum));
        }
        return runs;
    }

    private static String contactOf(String key) {
        return "C-" + key.toUpperCase(Locale.ROOT);
    }
}
