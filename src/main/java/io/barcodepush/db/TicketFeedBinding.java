package io.barcodepush.db;

import java.sql.Connection;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.barcodepush.ConfigurationException;

/**
 * Points the product's view {@code barcode_push.ticket_feed} at the operator's ticket feed view, after checking
 * that the feed has every column with a usable type.
 *
 * <p>The export query reads only {@code barcode_push.ticket_feed}, so the feed's name is a setting while the query
 * stays a fixed file with bound parameters.
 */
public final class TicketFeedBinding {

    private static final Logger LOG = LoggerFactory.getLogger(TicketFeedBinding.class);

    /** An unquoted PostgreSQL name, optionally schema-qualified: safe to place in SQL text as it is. */
    private static final Pattern VIEW_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    private static final List<String> TEXT = List.of("text", "varchar");

    /** The feed's columns in order, each with the PostgreSQL types accepted for it. */
    static final Map<String, List<String>> COLUMNS = columns();

    private TicketFeedBinding() {
    }

    private static Map<String, List<String>> columns() {
        Map<String, List<String>> columns = new LinkedHashMap<>();
        columns.put("ticket_id", List.of("int8", "int4"));
        columns.put("bar_code", TEXT);
        columns.put("ticket_state", TEXT);
        columns.put("file_number", TEXT);
        columns.put("product_code", TEXT);
        columns.put("product_name", TEXT);
        columns.put("validity_date", List.of("timestamp"));
        columns.put("tariff_code", TEXT);
        columns.put("tariff_name", TEXT);
        columns.put("price", List.of("numeric"));
        columns.put("currency", TEXT);
        columns.put("order_date", List.of("timestamptz"));
        columns.put("contact_number", TEXT);
        columns.put("sales_channel_code", TEXT);
        columns.put("created_at", List.of("timestamptz"));
        return columns;
    }

    /**
     * Checks the feed view and (re)creates {@code barcode_push.ticket_feed} over it.
     *
     * @throws ConfigurationException naming the missing column or wrong type and the fix
     */
    public static void bind(DataSource dataSource, String feedView) {
        if (!VIEW_NAME.matcher(feedView).matches()) {
            throw new ConfigurationException("Setting barcode-push.feed.view has the invalid value '" + feedView
                    + "'; give an unquoted view name, optionally with its schema, such as ticketing.ticket_feed.");
        }
        try (Connection connection = dataSource.getConnection()) {
            checkColumns(connection, feedView);
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                // Serialises instances that start at the same time; released at commit.
                statement.execute("SELECT pg_advisory_xact_lock(16976, 1)");
                statement.execute("DROP VIEW IF EXISTS barcode_push.ticket_feed");
                statement.execute("CREATE VIEW barcode_push.ticket_feed AS SELECT "
                        + String.join(", ", COLUMNS.keySet()) + " FROM " + feedView);
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
            LOG.info("Reading tickets from the feed view {}", feedView);
        } catch (SQLException e) {
            throw new ConfigurationException("Cannot read the ticket feed view " + feedView + " (setting"
                    + " barcode-push.feed.view): " + e.getMessage() + ". Create the view as README.md describes,"
                    + " or point the setting at an existing one.", e);
        }
    }

    private static void checkColumns(Connection connection, String feedView) throws SQLException {
        Map<String, String> actual = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement();
                var result = statement.executeQuery("SELECT * FROM " + feedView + " LIMIT 0")) {
            ResultSetMetaData metaData = result.getMetaData();
            for (int i = 1; i <= metaData.getColumnCount(); i++) {
                actual.put(metaData.getColumnName(i), metaData.getColumnTypeName(i));
            }
        }
        for (Map.Entry<String, List<String>> column : COLUMNS.entrySet()) {
            String type = actual.get(column.getKey());
            if (type == null) {
                throw new ConfigurationException("The ticket feed view " + feedView + " has no column "
                        + column.getKey() + "; it needs the columns " + List.copyOf(COLUMNS.keySet())
                        + ". Add the column to the view (NULL AS " + column.getKey() + " if you have no value).");
            }
            if (!column.getValue().contains(type)) {
                throw new ConfigurationException("The ticket feed view " + feedView + " has column "
                        + column.getKey() + " of type " + type + "; expected " + column.getValue()
                        + ". Cast it in the view, for example " + column.getKey() + "::"
                        + column.getValue().get(0) + ".");
            }
        }
    }
}
