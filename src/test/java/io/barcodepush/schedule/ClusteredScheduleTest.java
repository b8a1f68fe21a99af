package io.barcodepush.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import org.apache.camel.component.quartz.QuartzComponent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.quartz.Scheduler;

import io.barcodepush.support.InterfaceYaml;
import io.barcodepush.support.Mails;
import io.barcodepush.support.TestApplication;
import io.barcodepush.support.TestDatabase;
import io.barcodepush.support.Tickets;

/**
 * The interfaces' schedules on Quartz's clustered JDBC job store: runs fired by the scheduler, and the stored
 * triggers kept in line with the configuration across restarts.
 */
class ClusteredScheduleTest {

    private static final Map<String, String> SCHEDULER_ON = Map.of("camel.component.quartz.auto-start-scheduler",
            "true");
    private static final String EVERY_TWO_SECONDS = "0/2 * * * * ?";

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private TestDatabase database;
    private TestApplication application;

    @BeforeEach
    void createDatabase() {
        database = TestDatabase.createWithTicketing();
    }

    @AfterEach
    void stop() {
        if (application != null) {
            application.close();
        }
        database.close();
    }

    private void start(Map<String, String> overrides, InterfaceYaml... interfaces) {
        if (application != null) {
            application.close();
        }
        application = TestApplication.start(database, MAIL.getSmtp().getPort(), List.of(interfaces), overrides);
    }

    @Test
    void scheduledInterfaceSendsMail() throws Exception {
        start(SCHEDULER_ON, InterfaceYaml.of("ticker").set("contactNumbers", "C-1").set("cron", EVERY_TWO_SECONDS));
        new Tickets(database).sale("C-1", null).barCode("B-TICK-1").insert();

        await().atMost(Duration.ofSeconds(30)).until(() -> MAIL.getReceivedMessages().length >= 1);

        assertThat(MAIL.getReceivedMessages()).as("mails after the first fire").hasSize(1);
        assertThat(Mails.attachmentText(MAIL.getReceivedMessages()[0])).as("attachment").contains("\nB-TICK-1;");
        Scheduler scheduler = application.application().camelContext().getComponent("quartz", QuartzComponent.class)
                .getScheduler();
        assertThat(scheduler.getMetaData().isJobStoreClustered()).as("job store clustered").isTrue();
        assertThat(scheduler.getSchedulerName()).as("scheduler name").isEqualTo(QuartzCluster.SCHEDULER_NAME);
        assertThat(database.count("SELECT count(*) FROM barcode_push.qrtz_scheduler_state WHERE sched_name = ?",
                QuartzCluster.SCHEDULER_NAME)).as("instances checked in").isEqualTo(1);
        assertThat(database.query("SELECT cron_expression, time_zone_id FROM barcode_push.qrtz_cron_triggers"
                + " WHERE sched_name = ? AND trigger_group = ? AND trigger_name = 'ticker'",
                QuartzCluster.SCHEDULER_NAME, QuartzCluster.TRIGGER_GROUP))
                .as("stored trigger of interface ticker")
                .containsExactly(Map.of("cron_expression", EVERY_TWO_SECONDS, "time_zone_id", "UTC"));
    }

    @Test
    void changedScheduleZoneIsStored() {
        start(SCHEDULER_ON, InterfaceYaml.of("agency").set("contactNumbers", "C-1"));
        assertThat(storedZone("agency")).as("zone stored at the first start").isEqualTo("UTC");

        start(SCHEDULER_ON,
                InterfaceYaml.of("agency").set("contactNumbers", "C-1").set("scheduleTimeZone", "Europe/Zurich"));

        assertThat(storedZone("agency")).as("zone stored after the restart").isEqualTo("Europe/Zurich");
        assertThat(storedCron("agency")).as("cron stored after the restart").isEqualTo("0 0/15 * * * ?");
    }

    @Test
    void changedCronIsStored() {
        start(SCHEDULER_ON, InterfaceYaml.of("agency").set("contactNumbers", "C-1"));

        start(SCHEDULER_ON, InterfaceYaml.of("agency").set("contactNumbers", "C-1").set("cron", "0 0 6 * * ?"));

        assertThat(storedCron("agency")).as("cron stored after the restart").isEqualTo("0 0 6 * * ?");
    }

    @Test
    void removedInterfaceIsUnscheduled() {
        start(SCHEDULER_ON, InterfaceYaml.of("kept").set("contactNumbers", "C-1"),
                InterfaceYaml.of("removed").set("contactNumbers", "C-2"));
        assertThat(storedTriggers()).as("triggers at the first start").containsExactly("kept", "removed");

        start(SCHEDULER_ON, InterfaceYaml.of("kept").set("contactNumbers", "C-1"));

        assertThat(storedTriggers()).as("triggers after the restart").containsExactly("kept");
        assertThat(database.count("SELECT count(*) FROM barcode_push.qrtz_job_details WHERE job_name = 'removed'"))
                .as("jobs of the removed interface").isZero();
    }

    @Test
    void invalidInterfaceIsUnscheduled() {
        start(SCHEDULER_ON, InterfaceYaml.of("agency").set("contactNumbers", "C-1"));

        start(SCHEDULER_ON,
                InterfaceYaml.of("agency").set("contactNumbers", "C-1").set("recipients", "not-an-address"));

        assertThat(application.application().catalog().problems()).as("invalid interfaces").hasSize(1);
        assertThat(storedTriggers()).as("triggers after the restart").isEmpty();
    }

    @Test
    void schedulerOffLeavesStoredTriggers() {
        start(SCHEDULER_ON, InterfaceYaml.of("kept").set("contactNumbers", "C-1"),
                InterfaceYaml.of("other").set("contactNumbers", "C-2").set("scheduleTimeZone", "Europe/Zurich"));

        // TestApplication turns the scheduler off, as --once and --demo do.
        start(Map.of(), InterfaceYaml.of("kept").set("contactNumbers", "C-1").set("scheduleTimeZone", "Asia/Tokyo"));

        assertThat(storedTriggers()).as("triggers after a start without scheduler").containsExactly("kept", "other");
        assertThat(storedZone("kept")).as("zone of kept after a start without scheduler").isEqualTo("UTC");
    }

    private List<String> storedTriggers() {
        return database.query("SELECT trigger_name FROM barcode_push.qrtz_triggers WHERE sched_name = ?"
                + " AND trigger_group = ? ORDER BY trigger_name", QuartzCluster.SCHEDULER_NAME,
                QuartzCluster.TRIGGER_GROUP).stream()
                .map(row -> (String) row.get("trigger_name"))
                .toList();
    }

    private String storedZone(String key) {
        return (String) database.queryValue("SELECT time_zone_id FROM barcode_push.qrtz_cron_triggers"
                + " WHERE sched_name = ? AND trigger_group = ? AND trigger_name = ?", QuartzCluster.SCHEDULER_NAME,
                QuartzCluster.TRIGGER_GROUP, key);
    }

    private String storedCron(String key) {
        return (String) database.queryValue("SELECT cron_expression FROM barcode_push.qrtz_cron_triggers"
                + " WHERE sched_name = ? AND trigger_group = ? AND trigger_name = ?", QuartzCluster.SCHEDULER_NAME,
                QuartzCluster.TRIGGER_GROUP, key);
    }
}
