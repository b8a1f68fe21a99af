package io.barcodepush.schedule;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.quartz.utils.ConnectionProvider;

/**
 * Hands Quartz's JDBC job store connections of the product's pool, so Quartz needs no pool of its own.
 */
final class PooledConnectionProvider implements ConnectionProvider {

    private final DataSource dataSource;

    PooledConnectionProvider(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return dataSource.getConnection();
    }

    @Override
    public void initialize() {
        // The pool is open before Quartz starts.
    }

    /** Does nothing: the application closes the pool itself, after Camel has shut the scheduler down. */
    @Override
    public void shutdown() {
    }
}
