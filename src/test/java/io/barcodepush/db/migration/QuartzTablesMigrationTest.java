package io.barcodepush.db.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.barcodepush.db.Database;
import io.barcodepush.support.TestDatabase;

/**
 * The Flyway migration that creates Quartz's tables from the DDL in the quartz jar, against a real PostgreSQL.
 */
class QuartzTablesMigrationTest {

    /** The tables of the job store in quartz 2.5.2, lower-cased as PostgreSQL stores them. */
    private static final List<String> QUARTZ_TABLES = List.of("qrtz_blob_triggers", "qrtz_calendars",
            "qrtz_cron_triggers", "qrtz_fired_triggers", "qrtz_job_details", "qrtz_locks",
            "qrtz_paused_trigger_grps", "qrtz_scheduler_state", "qrtz_simple_triggers", "qrtz_simprop_triggers",
            "qrtz_triggers");

    /** The schema version that an installation from before the Quartz tables has. */
    private static final String VERSION_BEFORE_QUARTZ_TABLES = "2";
    private static final String QUARTZ_TABLES_VERSION = new V3__Quartz_tables().getVersion().getVersion();

    private TestDatabase database;
    private HikariDataSource dataSource;

    @BeforeEach
    void createDatabase() {
        database = TestDatabase.createEmpty();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.url());
        config.setUsername(TestDatabase.USER);
        config.setPassword(TestDatabase.PASSWORD);
        config.setMaximumPoolSize(2);
        dataSource = new HikariDataSource(config);
    }

    @AfterEach
    void dropDatabase() {
        dataSource.close();
        database.close();
    }

    @Test
    void createsTablesOnceAndSecondStartIsNoop() {
        Database.migrate(dataSource);

        assertThat(quartzTables()).as("Quartz tables in schema barcode_push").containsExactlyElementsOf(QUARTZ_TABLES);
        assertThat(database.count("SELECT count(*) FROM barcode_push.flyway_schema_history"
                + " WHERE version = ? AND success", QUARTZ_TABLES_VERSION)).as("successful runs of the migration")
                .isEqualTo(1);
        database.execute("INSERT INTO barcode_push.qrtz_locks (sched_name, lock_name) VALUES ('marker', 'kept')");
        long historyRows = database.count("SELECT count(*) FROM barcode_push.flyway_schema_history");

        Database.migrate(dataSource);

        assertThat(database.count("SELECT count(*) FROM barcode_push.flyway_schema_history"))
                .as("schema history rows after the second start").isEqualTo(historyRows);
        assertThat(database.count("SELECT count(*) FROM barcode_push.qrtz_locks WHERE sched_name = 'marker'"))
                .as("row written between the two starts").isEqualTo(1);
        assertThat(quartzTables()).as("Quartz tables after the second start").containsExactlyElementsOf(QUARTZ_TABLES);
    }

    @Test
    void tablesAndIndexesOnlyInProductSchema() {
        long indexStatements = new V3__Quartz_tables().statements().stream()
                .filter(sql -> sql.startsWith("CREATE INDEX"))
                .count();
        assertThat(indexStatements).as("CREATE INDEX statements in the DDL").isPositive();

        Database.migrate(dataSource);

        assertThat(database.count("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname <> 'barcode_push'"
                + " AND tablename LIKE 'qrtz\\_%'")).as("Quartz tables outside schema barcode_push").isZero();
        assertThat(database.count("SELECT count(*) FROM pg_catalog.pg_indexes WHERE schemaname = 'barcode_push'"
                + " AND indexname LIKE 'idx\\_qrtz\\_%'")).as("Quartz indexes in schema barcode_push")
                .isEqualTo(indexStatements);
    }

    @Test
    void existingTablesAreLeftUnchanged() throws SQLException {
        migrateTo(VERSION_BEFORE_QUARTZ_TABLES);
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("SET search_path TO barcode_push");
            for (String sql : new V3__Quartz_tables().statements()) {
                statement.execute(sql);
            }
        }
        database.execute("INSERT INTO barcode_push.qrtz_locks (sched_name, lock_name) VALUES ('marker', 'kept')");

        Database.migrate(dataSource);

        assertThat(database.count("SELECT count(*) FROM barcode_push.flyway_schema_history"
                + " WHERE version = ? AND success", QUARTZ_TABLES_VERSION)).as("successful runs of the migration")
                .isEqualTo(1);
        assertThat(database.count("SELECT count(*) FROM barcode_push.qrtz_locks WHERE sched_name = 'marker'"))
                .as("row written before the migration").isEqualTo(1);
    }

    @Test
    void someTablesMissingFailsMigration() {
        migrateTo(VERSION_BEFORE_QUARTZ_TABLES);
        database.execute("CREATE TABLE barcode_push.qrtz_locks (sched_name varchar(120), lock_name varchar(40))");

        assertThatThrownBy(() -> Database.migrate(dataSource))
                .isInstanceOf(FlywayException.class)
                .hasStackTraceContaining("has only some of the Quartz tables: [qrtz_locks] exist")
                .hasStackTraceContaining("qrtz_triggers");
        assertThat(quartzTables()).as("Quartz tables after the failed migration").containsExactly("qrtz_locks");
        assertThat(database.count("SELECT count(*) FROM barcode_push.flyway_schema_history WHERE version = ?",
                QUARTZ_TABLES_VERSION)).as("schema history rows of the migration").isZero();
    }

    @Test
    void missingDdlResourceFailsClearly() {
        V3__Quartz_tables migration = new V3__Quartz_tables("org/quartz/impl/jdbcjobstore/no_such_file.sql");

        assertThatThrownBy(migration::statements)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("org/quartz/impl/jdbcjobstore/no_such_file.sql is missing from the classpath");
    }

    @Test
    void statementsSkipDropsAndCommit() {
        List<String> statements = new V3__Quartz_tables().statements();

        assertThat(statements).as("statements run by the migration").isNotEmpty()
                .allSatisfy(sql -> assertThat(sql).startsWith("CREATE "))
                .noneSatisfy(sql -> assertThat(sql).containsIgnoringCase("DROP"))
                .noneSatisfy(sql -> assertThat(sql).containsIgnoringCase("COMMIT"));
        assertThat(V3__Quartz_tables.tableNames(statements)).as("tables created")
                .containsExactlyElementsOf(QUARTZ_TABLES);
    }

    /** Applies the migrations up to the given version, as an installation made before this one would have. */
    private void migrateTo(String version) {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(Database.SCHEMA)
                .createSchemas(true)
                .locations("classpath:db/migration")
                .javaMigrations(new V3__Quartz_tables())
                .target(version)
                .load()
                .migrate();
    }

    private List<String> quartzTables() {
        return database.query("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'barcode_push'"
                + " AND tablename LIKE 'qrtz\\_%' ORDER BY tablename").stream()
                .map(row -> (String) row.get("tablename"))
                .toList();
    }
}
