package io.barcodepush.db;

import java.sql.Connection;
import java.sql.SQLException;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.barcodepush.ConfigurationException;
import io.barcodepush.Settings;

/**
 * The connection pool and the product's schema.
 */
public final class Database {

    /** Schema of the product's own tables. */
    public static final String SCHEMA = "barcode_push";

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private Database() {
    }

    /**
     * Opens the pool and checks that the database answers, so a wrong URL or a database that is down fails start-up
     * with a clear message.
     */
    public static HikariDataSource open(Settings settings) {
        String url = settings.get("barcode-push.db.url");
        HikariConfig config = new HikariConfig();
        config.setPoolName("barcode-push");
        config.setJdbcUrl(url);
        config.setUsername(settings.get("barcode-push.db.user", null));
        config.setPassword(settings.get("barcode-push.db.password", null));
        config.setMaximumPoolSize(settings.getInt("barcode-push.db.pool-size", 10));
        config.setConnectionTimeout(settings.getInt("barcode-push.db.connection-timeout-ms", 10_000));
        config.setInitializationFailTimeout(settings.getInt("barcode-push.db.connection-timeout-ms", 10_000));
        try {
            HikariDataSource dataSource = new HikariDataSource(config);
            try (Connection connection = dataSource.getConnection()) {
                LOG.info("Connected to {} ({} {})", url, connection.getMetaData().getDatabaseProductName(),
                        connection.getMetaData().getDatabaseProductVersion());
            }
            return dataSource;
        } catch (HikariPool.PoolInitializationException | SQLException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new ConfigurationException("Cannot connect to the database at " + url + " as user "
                    + config.getUsername() + ": " + cause.getMessage() + ". Check that PostgreSQL is running and"
                    + " that barcode-push.db.url (or BARCODE_PUSH_DB_URL), the user and BARCODE_PUSH_DB_PASSWORD"
                    + " are right.", e);
        }
    }

    /** Applies the product's Flyway migrations to the schema {@value #SCHEMA}. */
    public static void migrate(HikariDataSource dataSource) {
        MigrateResult result = Flyway.configure()
                .dataSource(dataSource)
                .schemas(SCHEMA)
                .createSchemas(true)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        LOG.info("Schema {} is at version {} ({} migrations applied now)", SCHEMA, result.targetSchemaVersion,
                result.migrationsExecuted);
    }
}
