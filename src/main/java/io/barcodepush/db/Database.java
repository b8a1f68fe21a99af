package io.barcodepush.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.barcodepush.ConfigurationException;
import io.barcodepush.Settings;
import io.barcodepush.db.migration.V3__Quartz_tables;
import io.barcodepush.schedule.ScheduleSettings;

/**
 * The connection pool and the product's schema.
 */
public final class Database {

    /** Schema of the product's own tables. */
    public static final String SCHEMA = "barcode_push";

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private Database() {
    }

    /** SQL states that no retry can fix: unknown database, failed authentication. */
    private static final Set<String> PERMANENT_STATES = Set.of("3D000", "28000", "28P01");

    /**
     * Opens the pool and checks that the database accepts a connection. An unreachable server is retried with
     * back-off for {@code barcode-push.db.startup-timeout}; a missing database or rejected credentials fail start-up
     * at once.
     */
    public static HikariDataSource open(Settings settings) {
        Duration budget = settings.getDuration("barcode-push.db.startup-timeout", Duration.ofMinutes(1));
        long deadline = System.nanoTime() + budget.toNanos();
        Duration delay = Duration.ofSeconds(1);
        for (int attempt = 1; ; attempt++) {
            try {
                return openOnce(settings);
            } catch (ConfigurationException e) {
                SQLException cause = sqlCause(e);
                boolean permanent = cause == null || PERMANENT_STATES.contains(cause.getSQLState());
                if (permanent || System.nanoTime() + delay.toNanos() > deadline) {
                    throw e;
                }
                LOG.warn("Database not reachable (attempt {}): {}. Retrying in {} s", attempt,
                        withoutFinalPeriod(cause.getMessage()), delay.toSeconds());
                sleep(delay);
                delay = delay.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10)
                        : delay.multipliedBy(2);
            }
        }
    }

    private static SQLException sqlCause(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }

    private static String withoutFinalPeriod(String message) {
        return message != null && message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigurationException("Interrupted while waiting for the database", e);
        }
    }

    private static HikariDataSource openOnce(Settings settings) {
        String url = settings.get("barcode-push.db.url");
        HikariConfig config = new HikariConfig();
        config.setPoolName("barcode-push");
        config.setJdbcUrl(url);
        config.setUsername(settings.get("barcode-push.db.user", null));
        config.setPassword(settings.get("barcode-push.db.password", null));
        config.setMaximumPoolSize(ScheduleSettings.from(settings).poolSize());
        config.setConnectionTimeout(settings.getInt("barcode-push.db.connection-timeout-ms", 10_000));
        config.setInitializationFailTimeout(settings.getInt("barcode-push.db.connection-timeout-ms", 10_000));
        try {
            HikariDataSource dataSource = new HikariDataSource(config);
            try (Connection connection = dataSource.getConnection()) {
                LOG.info("Connected to {} ({} {}), pool of at most {} connections", url,
                        connection.getMetaData().getDatabaseProductName(),
                        connection.getMetaData().getDatabaseProductVersion(), config.getMaximumPoolSize());
            }
            return dataSource;
        } catch (HikariPool.PoolInitializationException | SQLException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new ConfigurationException("Cannot connect to the database at " + url + " as user "
                    + config.getUsername() + ": " + withoutFinalPeriod(cause.getMessage())
                    + ". Check that PostgreSQL is running and"
                    + " that barcode-push.db.url (or BARCODE_PUSH_DB_URL), the user and BARCODE_PUSH_DB_PASSWORD"
                    + " are right.", e);
        }
    }

    /** Applies the product's Flyway migrations, SQL and Java, to the schema {@value #SCHEMA}. */
    public static void migrate(HikariDataSource dataSource) {
        MigrateResult result = Flyway.configure()
                .dataSource(dataSource)
                .schemas(SCHEMA)
                .createSchemas(true)
                .locations("classpath:db/migration")
                .javaMigrations(new V3__Quartz_tables())
                .load()
                .migrate();
        LOG.info("Schema {} is at version {} ({} migrations applied now)", SCHEMA, result.targetSchemaVersion,
                result.migrationsExecuted);
    }
}
