package io.barcodepush.support;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A database of its own for one test class on the machine's PostgreSQL, with the reference ticketing schema.
 *
 * <p>The server comes from {@code BARCODE_PUSH_TEST_DB_URL} (default: PostgreSQL on 127.0.0.1:5432, database
 * postgres) and {@code BARCODE_PUSH_TEST_DB_USER} (default postgres).
 */
public final class TestDatabase implements AutoCloseable {

    public static final String ADMIN_URL = env("BARCODE_PUSH_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    public static final String USER = env("BARCODE_PUSH_TEST_DB_USER", "postgres");
    public static final String PASSWORD = env("BARCODE_PUSH_TEST_DB_PASSWORD", "");

    private static final Pattern URL = Pattern.compile("(jdbc:postgresql://[^/]*/)([A-Za-z0-9_]+)(\\?.*)?");

    private final String adminUrl;
    private final String name;
    private final String url;

    private TestDatabase(String adminUrl, String name, String url) {
        this.adminUrl = adminUrl;
        this.name = name;
        this.url = url;
    }

    /** Creates an empty database with a unique name. */
    public static TestDatabase createEmpty() {
        return createEmpty(ADMIN_URL);
    }

    /**
     * Creates an empty database with a unique name on the server of {@code adminUrl}, for example a throwaway
     * PostgreSQL cluster of one test.
     *
     * @param adminUrl JDBC URL of an existing database on that server, used to create and drop the new one
     */
    public static TestDatabase createEmpty(String adminUrl) {
        Matcher matcher = URL.matcher(adminUrl);
        if (!matcher.matches()) {
            throw new IllegalStateException("The admin URL must look like jdbc:postgresql://HOST:PORT/DB (see"
                    + " BARCODE_PUSH_TEST_DB_URL), got " + adminUrl);
        }
        String name = "barcode_push_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection admin = DriverManager.getConnection(adminUrl, USER, PASSWORD);
                Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create test database on " + adminUrl + ": " + e.getMessage(), e);
        }
        String query = matcher.group(3) == null ? "" : matcher.group(3);
        return new TestDatabase(adminUrl, name, matcher.group(1) + name + query);
    }

    /** Creates a database with the reference ticketing schema and its feed view. */
    public static TestDatabase createWithTicketing() {
        return createWithTicketing(ADMIN_URL);
    }

    /** Creates a database with the reference ticketing schema on the server of {@code adminUrl}. */
    public static TestDatabase createWithTicketing(String adminUrl) {
        TestDatabase database = createEmpty(adminUrl);
        database.executeScript("reference/ticketing-schema.sql");
        return database;
    }

    public String url() {
        return url;
    }

    public String name() {
        return name;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, USER, PASSWORD);
    }

    public void executeScript(String resource) {
        try (var in = TestDatabase.class.getClassLoader().getResourceAsStream(resource)) {
            execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs one statement with bound parameters and returns the update count. */
    public int execute(String sql, Object... parameters) {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            statement.execute();
            return statement.getUpdateCount();
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public List<Map<String, Object>> query(String sql, Object... parameters) {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                ResultSetMetaData metaData = result.getMetaData();
                while (result.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= metaData.getColumnCount(); i++) {
                        row.put(metaData.getColumnLabel(i), result.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** Returns the first column of the only row. */
    public Object queryValue(String sql, Object... parameters) {
        List<Map<String, Object>> rows = query(sql, parameters);
        if (rows.size() != 1) {
            throw new IllegalStateException("Expected one row from " + sql + ", got " + rows.size());
        }
        return rows.get(0).values().iterator().next();
    }

    public long count(String sql, Object... parameters) {
        return ((Number) queryValue(sql, parameters)).longValue();
    }

    private static void bind(PreparedStatement statement, Object[] parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
    }

    @Override
    public void close() {
        try (Connection admin = DriverManager.getConnection(adminUrl, USER, PASSWORD);
                Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot drop test database " + name + ": " + e.getMessage(), e);
        }
    }

    private static String env(String name, String defaultValue) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? defaultValue : value;
    }
}
