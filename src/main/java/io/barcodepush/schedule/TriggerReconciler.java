package io.barcodepush.schedule;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TimeZone;

import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.component.quartz.SchedulerInitTask;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.barcodepush.export.ExportInterface;
import io.barcodepush.export.InterfaceCatalog;

/**
 * Makes the interface triggers stored in the clustered job store match this instance's interfaces, before the
 * scheduler starts.
 *
 * <p>camel-quartz 4.17 keeps a stored trigger unless its cron expression changed, so a new scheduleTimeZone of an
 * interface would never reach the database. This task reschedules such a trigger. Camel also never deletes a stored trigger
 * in a clustered store, so the trigger of a removed or invalid interface would keep firing in the cluster. This task
 * unschedules it.
 *
 * <p>It runs only on an instance that starts its scheduler: {@code --once} and {@code --demo} leave the schedules of
 * a running cluster alone.
 *
 * <p>NOTE: stopping an interface's route while the application runs does not unschedule its trigger, and camel-quartz
 * does not pause triggers in a clustered store. Its fires that land on this instance then do nothing, and other
 * instances keep running the interface.
 */
final class TriggerReconciler implements SchedulerInitTask {

    private static final Logger LOG = LoggerFactory.getLogger(TriggerReconciler.class);

    private final QuartzComponent component;
    private final InterfaceCatalog catalog;

    TriggerReconciler(QuartzComponent component, InterfaceCatalog catalog) {
        this.component = component;
        this.catalog = catalog;
    }

    /** Runs after the routes have stored their triggers and before the scheduler starts. */
    @Override
    public void initializeTask(Scheduler scheduler) throws SchedulerException {
        if (!component.isAutoStartScheduler()) {
            LOG.debug("Scheduler {} does not start in this instance, so its stored triggers stay as they are",
                    scheduler.getSchedulerName());
            return;
        }
        Map<String, ExportInterface> interfaces = new LinkedHashMap<>();
        for (ExportInterface exportInterface : catalog.validInterfaces()) {
            interfaces.put(exportInterface.key(), exportInterface);
        }

        for (TriggerKey key : scheduler.getTriggerKeys(GroupMatcher.triggerGroupEquals(QuartzCluster.TRIGGER_GROUP))) {
            Trigger stored = scheduler.getTrigger(key);
            if (stored == null) {
                // Another instance removed it since the key was listed.
                continue;
            }
            ExportInterface exportInterface = interfaces.get(key.getName());
            if (exportInterface == null) {
                scheduler.unscheduleJob(key);
                LOG.info("Removed the stored schedule of interface {}: this configuration has no valid interface"
                        + " with that key", key.getName());
            } else if (!matches(stored, exportInterface)) {
                scheduler.rescheduleJob(key, replacement(stored, exportInterface));
                LOG.info("Interface {}: stored schedule {} replaced by cron '{}' in {}", key.getName(),
                        describe(stored), exportInterface.cron(), exportInterface.scheduleZone());
            }
        }
    }

    static boolean matches(Trigger stored, ExportInterface exportInterface) {
        return stored instanceof CronTrigger cron
                && cron.getCronExpression().trim().equals(exportInterface.cron())
                && cron.getTimeZone().getID().equals(zoneOf(exportInterface).getID());
    }

    /** Returns a trigger for the same job with the interface's cron and zone, starting now. */
    static Trigger replacement(Trigger stored, ExportInterface exportInterface) {
        // The same misfire instruction as camel-quartz's own cron triggers.
        CronScheduleBuilder schedule = CronScheduleBuilder.cronSchedule(exportInterface.cron())
                .inTimeZone(zoneOf(exportInterface))
                .withMisfireHandlingInstructionFireAndProceed();
        return TriggerBuilder.newTrigger()
                .withIdentity(stored.getKey())
                .forJob(stored.getJobKey())
                .withDescription(stored.getDescription())
                .withPriority(stored.getPriority())
                .usingJobData(stored.getJobDataMap())
                .modifiedByCalendar(stored.getCalendarName())
                .endAt(stored.getEndTime())
                .withSchedule(schedule)
                .startNow()
                .build();
    }

    private static TimeZone zoneOf(ExportInterface exportInterface) {
        return TimeZone.getTimeZone(exportInterface.scheduleZone());
    }

    private static String describe(Trigger stored) {
        if (stored instanceof CronTrigger cron) {
            return "cron '" + cron.getCronExpression() + "' in " + cron.getTimeZone().getID();
        }
        return "of type " + stored.getClass().getSimpleName();
    }
}
