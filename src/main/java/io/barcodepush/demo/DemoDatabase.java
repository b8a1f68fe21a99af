package io.barcodepush.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.barcodepush.ConfigurationException;

/**
 * The demo's database: created if missing, checked to hold nothing but demo data, then reset and filled.
 */
final class DemoDatabase {

    /** Comment the demo puts on its ticketing schema; its presence means the schema is demo data. */
    static final String MARKER = "barcode-push demo data";

    private static final Pattern URL = Pattern.compile("(jdbc:postgresql://[^/]*/)([A-Za-z0-9_]+)(\\?.*)?");

    private static final String USER_TABLES = """
            SELECT table_schema || '.' || table_name
            FROM information_schema.tables
            WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
            ORDER BY 1""";
    private static final String SCHEMA_COMMENT = """
            SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = 'ticketing'""";

    private DemoDatabase() {
    }

    /** Creates the database named in the URL when it does not exist yet. */
    static void createIfMissing(String url, Properties credentials) throws SQLException {
        try (Connection ignored = DriverManager.getConnection(url, credentials)) {
            return;
        } catch (SQLException e) {
            if (!"3D000".equals(e.getSQLState())) {
                throw e;
            }
        }
        Matcher matcher = URL.matcher(url);
        if (!matcher.matches()) {
            throw new ConfigurationException("The database in " + url + " does not exist, and the demo can create"
                    + " it only from a URL of the form jdbc:postgresql://HOST:PORT/NAME. Create it with createdb.");
        }
        String maintenanceUrl = matcher.group(1) + "postgres" + (matcher.group(3) == null ? "" : matcher.group(3));
        try (Connection connection = DriverManager.getConnection(maintenanceUrl, credentials);
                Statement statement = connection.createStatement()) {
            // The name matched [A-Za-z0-9_]+ above, so it is safe as an identifier.
            statement.execute("CREATE DATABASE " + matcher.group(2));
        }
    }

    /**
     * Rejects a database that contains anything but the demo's own data, so the demo never wipes a real one.
     */
    static void checkOnlyDemoData(Connection connection, String url) throws SQLException {
        List<String> foreign = new ArrayList<>();
        boolean hasTicketing = false;
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(USER_TABLES)) {
            while (rows.next()) {
                String table = rows.getString(1);
                if (table.startsWith("ticketing.")) {
                    hasTicketing = true;
                } else if (!table.startsWith("barcode_push.")) {
                    foreign.add(table);
                }
            }
        }
        String comment = null;
        try (PreparedStatement statement = connection.prepareStatement(SCHEMA_COMMENT);
                ResultSet row = statement.executeQuery()) {
            if (row.next()) {
                comment = row.getString(1);
                hasTicketing = true;
            }
        }
        if (!foreign.isEmpty() || (hasTicketing && !MARKER.equals(comment))) {
            String examples = foreign.isEmpty() ? "schema ticketing" : String.join(", ", foreign.subList(0,
                    Math.min(5, foreign.size())));
            throw new ConfigurationException("The demo does not reset " + url + " because it contains data the demo"
                    + " did not create (" + examples + "). Point BARCODE_PUSH_DB_URL at an empty database, for"
                    + " example jdbc:postgresql://localhost:5432/barcode_push_demo.");
        }
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'barcode_push'")) {
            rows.next();
            if (rows.getInt(1) > 0 && !hasTicketing) {
                throw new ConfigurationException("The demo does not reset " + url + " because it contains a"
                        + " barcode_push schema without demo data. Point BARCODE_PUSH_DB_URL at an empty database.");
            }
        }
    }

    /** Drops the demo's schemas and creates the reference ticketing schema with the sample data. */
    static void reset(Connection connection) throws SQLException, IOException {
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS barcode_push CASCADE");
            statement.execute("DROP SCHEMA IF EXISTS ticketing CASCADE");
            statement.execute(resource("reference/ticketing-schema.sql"));
            statement.execute(resource("demo/sample-data.sql"));
        }
        connection.commit();
        connection.setAutoCommit(true);
    }

    static String resource(String path) throws IOException {
        try (InputStream in = DemoDatabase.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException("Resource " + path + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
