package io.barcodepush.schedule;

import io.barcodepush.ConfigurationException;
import io.barcodepush.Settings;

/**
 * Settings of the Quartz scheduler, and the size of the connection pool that follows from them.
 *
 * @param threads                  Quartz worker threads: the maximum number of interfaces that run at the same time
 *                                 in one instance
 * @param clusterCheckinIntervalMs how often each instance records in the database that it is alive, in milliseconds
 * @param poolSize                 maximum connections of the product's pool
 * @param poolSizeDerived          true when {@value #POOL_SIZE} is not set and the pool size follows from the threads
 */
public record ScheduleSettings(int threads, int clusterCheckinIntervalMs, int poolSize, boolean poolSizeDerived) {

    public static final String THREADS = "barcode-push.schedule.threads";
    public static final String CLUSTER_CHECKIN_INTERVAL = "barcode-push.schedule.cluster-checkin-interval-ms";
    public static final String POOL_SIZE = "barcode-push.db.pool-size";

    public static final int DEFAULT_THREADS = 10;
    public static final int DEFAULT_CLUSTER_CHECKIN_INTERVAL_MS = 15_000;

    /**
     * Connections per scheduler thread in the default pool size. A run holds one from start to end, for its lock,
     * its feed query and its bookkeeping. The second is headroom, for example for the job store's statements on the
     * same thread when the run's trigger completes.
     */
    public static final int CONNECTIONS_PER_THREAD = 2;
    /**
     * Connections beyond the runs: Quartz's trigger acquisition, misfire handler and cluster check-in each take one
     * briefly, and one is left for a run started on request.
     */
    public static final int SPARE_CONNECTIONS = 4;

    /**
     * Reads the settings.
     *
     * @throws ConfigurationException when a value is not a positive whole number
     */
    public static ScheduleSettings from(Settings settings) {
        int threads = positive(settings, THREADS, DEFAULT_THREADS);
        int checkinInterval = positive(settings, CLUSTER_CHECKIN_INTERVAL, DEFAULT_CLUSTER_CHECKIN_INTERVAL_MS);
        boolean derived = settings.get(POOL_SIZE, null) == null;
        int poolSize = derived ? defaultPoolSize(threads) : positive(settings, POOL_SIZE, defaultPoolSize(threads));
        return new ScheduleSettings(threads, checkinInterval, poolSize, derived);
    }

    /** Returns the pool size used when {@value #POOL_SIZE} is not set. */
    public static int defaultPoolSize(int threads) {
        return CONNECTIONS_PER_THREAD * threads + SPARE_CONNECTIONS;
    }

    private static int positive(Settings settings, String name, int defaultValue) {
        int value = settings.getInt(name, defaultValue);
        if (value < 1) {
            throw new ConfigurationException("Setting " + name + " has the invalid value " + value
                    + "; expected a whole number of at least 1, such as " + defaultValue + ".");
        }
        return value;
    }
}
