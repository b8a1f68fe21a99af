package io.barcodepush.db.migration;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.barcodepush.db.Database;

/**
 * Creates the tables of Quartz's clustered JDBC job store in schema {@value Database#SCHEMA}, from the PostgreSQL
 * DDL that ships inside the quartz jar pinned in pom.xml.
 *
 * <p>The DDL starts by dropping every QRTZ table and ends with {@code COMMIT}. This migration runs only its
 * {@code CREATE TABLE} and {@code CREATE INDEX} statements, inside Flyway's transaction, and only when none of the
 * tables exist. When all of them exist (created by hand before this migration), it changes nothing. When only some
 * exist, it fails and names the missing ones, because it cannot tell what state they are in.
 */
public class V3__Quartz_tables extends BaseJavaMigration {

    /** Classpath location of the DDL inside the quartz jar. */
    public static final String DDL_RESOURCE = "org/quartz/impl/jdbcjobstore/tables_postgres.sql";

    private static final Logger LOG = LoggerFactory.getLogger(V3__Quartz_tables.class);
    private static final Pattern CREATE_TABLE = Pattern.compile("(?i)^CREATE\\s+TABLE\\s+(\\w+)");
    private static final Pattern CREATE_INDEX = Pattern.compile("(?i)^CREATE\\s+INDEX\\s");
    private static final Pattern DROP = Pattern.compile("(?i)^DROP\\s");
    private static final String EXISTING_TABLES = """
            SELECT tablename FROM pg_catalog.pg_tables
            WHERE schemaname = ? AND tablename = ANY (?)""";

    private final String ddlResource;

    public V3__Quartz_tables() {
        this(DDL_RESOURCE);
    }

    /** Reads the DDL from another classpath resource, so tests can check the error for a missing one. */
    V3__Quartz_tables(String ddlResource) {
        this.ddlResource = ddlResource;
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        List<String> statements = statements();
        Set<String> expected = tableNames(statements);
        Set<String> existing = existingTables(connection, expected);

        if (existing.equals(expected)) {
            LOG.info("The {} Quartz tables already exist in schema {}; leaving them unchanged", expected.size(),
                    Database.SCHEMA);
            return;
        }
        if (!existing.isEmpty()) {
            Set<String> missing = new TreeSet<>(expected);
            missing.removeAll(existing);
            throw new IllegalStateException("Schema " + Database.SCHEMA + " has only some of the Quartz tables: "
                    + existing + " exist, " + missing + " are missing. Drop the existing QRTZ tables (they hold no"
                    + " data but schedules, which every instance writes again at start) and start again.");
        }

        if (connection.getAutoCommit()) {
            throw new IllegalStateException("The Quartz tables migration must run inside a transaction, so that"
                    + " a failed statement leaves no table behind.");
        }
        try (Statement statement = connection.createStatement()) {
            // The DDL names its tables without a schema. SET LOCAL lasts until Flyway commits this migration.
            statement.execute("SET LOCAL search_path TO " + Database.SCHEMA);
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
        LOG.info("Created the {} Quartz tables in schema {} from {}", expected.size(), Database.SCHEMA,
                ddlResource);
    }

    /**
     * Returns the DDL's CREATE statements in file order, without comments, DROP statements and COMMIT.
     *
     * @throws IllegalStateException when the resource is missing or contains a statement of another kind
     */
    List<String> statements() {
        String ddl = readDdl();
        StringBuilder withoutComments = new StringBuilder();
        for (String line : ddl.split("\n", -1)) {
            int comment = line.indexOf("--");
            withoutComments.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
        }

        List<String> statements = new ArrayList<>();
        for (String part : withoutComments.toString().split(";")) {
            String sql = part.strip();
            if (sql.isEmpty() || DROP.matcher(sql).find() || sql.equalsIgnoreCase("COMMIT")) {
                continue;
            }
            if (!CREATE_TABLE.matcher(sql).find() && !CREATE_INDEX.matcher(sql).find()) {
                throw new IllegalStateException("Unexpected statement in " + ddlResource + ": '" + firstLine(sql)
                        + "'. This migration runs only CREATE TABLE and CREATE INDEX statements; check the DDL of"
                        + " the quartz version pinned in pom.xml.");
            }
            statements.add(sql);
        }
        if (tableNames(statements).isEmpty()) {
            throw new IllegalStateException("No CREATE TABLE statement found in " + ddlResource + ".");
        }
        return statements;
    }

    private String readDdl() {
        try (InputStream in = V3__Quartz_tables.class.getClassLoader().getResourceAsStream(ddlResource)) {
            if (in == null) {
                throw new IllegalStateException("The Quartz DDL " + ddlResource + " is missing from the classpath."
                        + " It ships inside the quartz jar; check that the quartz version pinned in pom.xml is on"
                        + " the classpath and still contains this file.");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the Quartz DDL " + ddlResource, e);
        }
    }

    /** Returns the names of the tables that the statements create, in lower case as PostgreSQL stores them. */
    static Set<String> tableNames(List<String> statements) {
        Set<String> names = new TreeSet<>();
        for (String sql : statements) {
            Matcher matcher = CREATE_TABLE.matcher(sql);
            if (matcher.find()) {
                names.add(matcher.group(1).toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    private static Set<String> existingTables(Connection connection, Set<String> names) throws SQLException {
        Set<String> existing = new TreeSet<>();
        try (PreparedStatement query = connection.prepareStatement(EXISTING_TABLES)) {
            query.setString(1, Database.SCHEMA);
            query.setArray(2, connection.createArrayOf("text", names.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    existing.add(rows.getString(1));
                }
            }
        }
        return existing;
    }

    private static String firstLine(String sql) {
        int end = sql.indexOf('\n');
        return end < 0 ? sql : sql.substring(0, end);
    }
}
