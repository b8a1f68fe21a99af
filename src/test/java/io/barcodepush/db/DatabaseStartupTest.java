package io.barcodepush.db;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.barcodepush.ConfigurationException;
import io.barcodepush.Settings;
import io.barcodepush.support.FreePort;
import io.barcodepush.support.TestDatabase;

class DatabaseStartupTest {

    @TempDir
    Path directory;

    private Settings settings(String url) throws Exception {
        Path file = directory.resolve("application.properties");
        Files.writeString(file, "barcode-push.db.startup-timeout = PT3S\nbarcode-push.db.connection-timeout-ms = 1000\n");
        return Settings.load(file, Map.of(), Map.of("barcode-push.db.url", url, "barcode-push.db.user",
                TestDatabase.USER));
    }

    @Test
    void missingDatabaseFailsAtOnce() throws Exception {
        Settings settings = settings("jdbc:postgresql://127.0.0.1:5432/barcode_push_no_such_database");

        assertThatThrownBy(() -> Database.open(settings))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("barcode_push_no_such_database")
                .hasMessageContaining("does not exist")
                .hasMessageContaining("BARCODE_PUSH_DB_URL");
    }

    @Test
    void unreachableServerFailsAfterRetries() throws Exception {
        Settings settings = settings("jdbc:postgresql://127.0.0.1:" + FreePort.find() + "/postgres");

        assertThatThrownBy(() -> Database.open(settings))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("Cannot connect to the database")
                .hasMessageContaining("Check that PostgreSQL is running");
    }

    @Test
    void missingFeedViewNamesSettingAndFix() {
        try (TestDatabase database = TestDatabase.createEmpty()) {
            var dataSource = new org.postgresql.ds.PGSimpleDataSource();
            dataSource.setUrl(database.url());
            dataSource.setUser(TestDatabase.USER);
            database.execute("CREATE SCHEMA barcode_push");

            assertThatThrownBy(() -> TicketFeedBinding.bind(dataSource, "ticketing.ticket_feed"))
                    .hasMessageContaining("ticketing.ticket_feed")
                    .hasMessageContaining("barcode-push.feed.view");
            assertThatThrownBy(() -> TicketFeedBinding.bind(dataSource, "feed; DROP TABLE x"))
                    .hasMessageStartingWith("Setting barcode-push.feed.view has the invalid value");
        }
    }

    @Test
    void feedWithWrongTypeNamesColumnAndCast() {
        try (TestDatabase database = TestDatabase.createWithTicketing()) {
            var dataSource = new org.postgresql.ds.PGSimpleDataSource();
            dataSource.setUrl(database.url());
            dataSource.setUser(TestDatabase.USER);
            database.execute("CREATE SCHEMA barcode_push");
            database.execute("CREATE VIEW public.float_feed AS SELECT ticket_id, bar_code, ticket_state, file_number,"
                    + " product_code, product_name, validity_date, tariff_code, tariff_name, price::float8 AS price,"
                    + " currency, order_date, contact_number, sales_channel_code, created_at"
                    + " FROM ticketing.ticket_feed");

            assertThatThrownBy(() -> TicketFeedBinding.bind(dataSource, "public.float_feed"))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage("The ticket feed view public.float_feed has column price of type float8; expected"
                            + " [numeric]. Cast it in the view, for example price::numeric.");
        }
    }
}
