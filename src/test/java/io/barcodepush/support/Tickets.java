package io.barcodepush.support;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Inserts tickets into the reference ticketing schema, one order per ticket unless a file number is given.
 */
public final class Tickets {

    public static final OffsetDateTime ORDER_DATE = OffsetDateTime.parse("2026-11-20T10:15:00Z");
    public static final LocalDateTime VALIDITY_DATE = LocalDateTime.parse("2026-12-15T19:30:00");

    private static final AtomicLong FILE_NUMBERS = new AtomicLong(1000);

    private final TestDatabase database;

    public Tickets(TestDatabase database) {
        this.database = database;
    }

    /** Starts a ticket sold to {@code contactNumber} (may be null) on {@code salesChannel} (may be null). */
    public Builder sale(String contactNumber, String salesChannel) {
        return new Builder(contactNumber, salesChannel);
    }

    /** A ticket to insert, with plain defaults for every column. */
    public final class Builder {
        private final String contactNumber;
        private final String salesChannel;
        private String fileNumber = "F" + FILE_NUMBERS.incrementAndGet();
        private String barCode = "BC" + FILE_NUMBERS.incrementAndGet();
        private String state = "PRINTED";
        private String productCode = "P-1";
        private String productName = "Concert";
        private LocalDateTime validityDate = VALIDITY_DATE;
        private String tariffCode = "ADULT";
        private String tariffName = "Adult";
        private BigDecimal price = new BigDecimal("25.50");
        private String currency = "CHF";
        private OffsetDateTime orderDate = ORDER_DATE;
        private String orderStatus = "PAID";

        private Builder(String contactNumber, String salesChannel) {
            this.contactNumber = contactNumber;
            this.salesChannel = salesChannel;
        }

        public Builder barCode(String value) {
            this.barCode = value;
            return this;
        }

        public Builder fileNumber(String value) {
            this.fileNumber = value;
            return this;
        }

        public Builder state(String value) {
            this.state = value;
            return this;
        }

        public Builder product(String code, String name) {
            this.productCode = code;
            this.productName = name;
            return this;
        }

        public Builder tariff(String code, String name) {
            this.tariffCode = code;
            this.tariffName = name;
            return this;
        }

        public Builder validityDate(LocalDateTime value) {
            this.validityDate = value;
            return this;
        }

        public Builder price(String value) {
            this.price = value == null ? null : new BigDecimal(value);
            return this;
        }

        public Builder orderDate(OffsetDateTime value) {
            this.orderDate = value;
            return this;
        }

        public Builder orderStatus(String value) {
            this.orderStatus = value;
            return this;
        }

        /** Inserts the ticket in its own transaction and returns its id. */
        public long insert() {
            try (Connection connection = database.connect()) {
                return insert(connection);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Inserts the ticket on the given connection, inside whatever transaction it has open. */
        public long insert(Connection connection) throws SQLException {
            // Existing rows are reused without locking them, so an open transaction of another test step that sold
            // to the same contact does not block this one.
            Long contactId = contactNumber == null ? null : reference(connection, "contact", "contact_number",
                    "contact_id", contactNumber, contactNumber);
            Long channelId = salesChannel == null ? null : reference(connection, "sales_channel", "code",
                    "sales_channel_id", salesChannel, salesChannel);
            Long productId = productCode == null ? null : reference(connection, "product", "code", "product_id",
                    productCode, productName);
            Long tariffId = tariffCode == null ? null : reference(connection, "tariff", "code", "tariff_id",
                    tariffCode, tariffName);
            long orderId = upsert(connection,
                    "INSERT INTO ticketing.sales_order (file_number, contact_id, sales_channel_id, order_date, status)"
                            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (file_number) DO UPDATE SET status = EXCLUDED.status"
                            + " RETURNING order_id", fileNumber, contactId, channelId, orderDate, orderStatus);
            return upsert(connection,
                    "INSERT INTO ticketing.ticket (order_id, product_id, tariff_id, bar_code, state, validity_date,"
                            + " price, currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ticket_id",
                    orderId, productId, tariffId, barCode, state, validityDate, price, currency);
        }
    }

    /** Returns the id of the row with this code, inserting it with the given name when it is missing. */
    private static long reference(Connection connection, String table, String codeColumn, String idColumn,
            String code, String name) throws SQLException {
        // Table and column names are constants of this class, never test data.
        String select = "SELECT " + idColumn + " FROM ticketing." + table + " WHERE " + codeColumn + " = ?";
        try (PreparedStatement statement = connection.prepareStatement(select)) {
            statement.setString(1, code);
            try (ResultSet row = statement.executeQuery()) {
                if (row.next()) {
                    return row.getLong(1);
                }
            }
        }
        return upsert(connection, "INSERT INTO ticketing." + table + " (" + codeColumn + ", name) VALUES (?, ?)"
                + " RETURNING " + idColumn, code, name);
    }

    private static long upsert(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
