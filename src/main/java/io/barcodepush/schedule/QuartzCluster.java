package io.barcodepush.schedule;

import java.util.Properties;

import javax.sql.DataSource;

import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.main.Main;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.jdbcjobstore.JobStoreTX;
import org.quartz.impl.jdbcjobstore.PostgreSQLDelegate;
import org.quartz.simpl.SimpleThreadPool;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.barcodepush.Settings;
import io.barcodepush.db.Database;
import io.barcodepush.export.InterfaceCatalog;

/**
 * Runs camel-quartz on Quartz's clustered JDBC job store in the product's database, so that every instance started
 * on the same database shares the schedules. Each fire of a trigger runs on one instance. When an instance stops
 * checking in, another instance releases the triggers it had claimed, so they fire again.
 *
 * <p>Every instance must run the same interfaces. A trigger that fires on an instance without that interface's
 * route does nothing there, and an instance that starts its scheduler removes the triggers of interfaces it does
 * not run (see {@link TriggerReconciler}). Every instance must also use the same {@code camel.main.name}, because
 * camel-quartz 4.17 stores the Camel context's name in each job when it first schedules it, and a job fired on an
 * instance whose context has another name fails.
 */
public final class QuartzCluster {

    /** Quartz scheduler name, the same on every instance so that they form one cluster. */
    public static final String SCHEDULER_NAME = "barcode-push";
    /** Trigger group of the interfaces' schedules, as the {@code quartz:barcode-push/KEY} route URI sets it. */
    public static final String TRIGGER_GROUP = "barcode-push";
    /**
     * Prefix of the Quartz tables. Quartz puts it in front of the table names in its SQL, so a schema-qualified
     * prefix finds them in schema {@value Database#SCHEMA} without any search_path.
     */
    public static final String TABLE_PREFIX = Database.SCHEMA + ".qrtz_";

    /** Name under which the product's pool is registered with Quartz's {@link DBConnectionManager}. */
    static final String DATA_SOURCE_NAME = "barcodePushPool";

    private static final Logger LOG = LoggerFactory.getLogger(QuartzCluster.class);

    private QuartzCluster() {
    }

    /**
     * Binds a Quartz component with the clustered job store into Camel Main's registry as {@code quartz}, so the
     * interface routes use it. Call it before Camel starts.
     *
     * <p>Quartz creates its job store from class names and looks data sources up by name in the JVM-wide
     * {@link DBConnectionManager}. The pool is registered there under one fixed name, and a later application in
     * the same JVM replaces the registration of an earlier one. Quartz keeps one scheduler per name in a JVM, so
     * applications that run at the same time in one JVM, as some tests do, share one scheduler and the pool
     * registered last.
     */
    public static void install(Main main, Settings settings, DataSource dataSource, InterfaceCatalog catalog) {
        ScheduleSettings schedule = ScheduleSettings.from(settings);
        DBConnectionManager.getInstance().addConnectionProvider(DATA_SOURCE_NAME,
                new PooledConnectionProvider(dataSource));

        QuartzComponent component = new QuartzComponent();
        // The instance name is the cluster's SCHED_NAME in every table, so it must not depend on the Camel context.
        component.setPrefixInstanceName(false);
        component.setProperties(quartzProperties(schedule));
        component.addScheduleInitTask(new TriggerReconciler(component, catalog));
        main.bind("quartz", component);

        LOG.info("Quartz scheduler {}: clustered job store in tables {}*, {} threads, cluster check-in every {} ms,"
                + " connection pool of {} ({})", SCHEDULER_NAME, TABLE_PREFIX, schedule.threads(),
                schedule.clusterCheckinIntervalMs(), schedule.poolSize(), schedule.poolSizeDerived()
                        ? "derived from the threads" : "set by " + ScheduleSettings.POOL_SIZE);
        int needed = ScheduleSettings.defaultPoolSize(schedule.threads());
        if (schedule.poolSize() < needed) {
            LOG.warn("Setting {} is {}, less than the {} connections that {} threads can use at once, so runs may"
                    + " wait for a connection. Remove the setting to size the pool from the threads.",
                    ScheduleSettings.POOL_SIZE, schedule.poolSize(), needed, schedule.threads());
        }
    }

    /** Returns the Quartz properties of the clustered JDBC job store. */
    static Properties quartzProperties(ScheduleSettings schedule) {
        Properties properties = new Properties();
        properties.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, SCHEDULER_NAME);
        // AUTO makes the id from the host name and the start time, unique per instance.
        properties.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID,
                StdSchedulerFactory.AUTO_GENERATE_INSTANCE_ID);
        properties.setProperty(StdSchedulerFactory.PROP_THREAD_POOL_CLASS, SimpleThreadPool.class.getName());
        properties.setProperty(StdSchedulerFactory.PROP_THREAD_POOL_PREFIX + ".threadCount",
                Integer.toString(schedule.threads()));

        String jobStore = StdSchedulerFactory.PROP_JOB_STORE_PREFIX;
        properties.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, JobStoreTX.class.getName());
        properties.setProperty(jobStore + ".driverDelegateClass", PostgreSQLDelegate.class.getName());
        properties.setProperty(jobStore + ".dataSource", DATA_SOURCE_NAME);
        properties.setProperty(jobStore + ".tablePrefix", TABLE_PREFIX);
        properties.setProperty(jobStore + ".isClustered", "true");
        properties.setProperty(jobStore + ".clusterCheckinInterval",
                Integer.toString(schedule.clusterCheckinIntervalMs()));
        // Trigger acquisition runs under the TRIGGER_ACCESS row lock in qrtz_locks, one instance at a time.
        properties.setProperty(jobStore + ".acquireTriggersWithinLock", "true");
        return properties;
    }
}
