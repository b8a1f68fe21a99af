package io.barcodepush.db;

import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * A DataSource that hands out the connection of the export run on the current thread, so the route's SQL step
 * uses the connection the run already holds and a run never needs a second one from the pool.
 *
 * <p>Closing a connection obtained here does nothing; the run returns its connection to the pool when it ends.
 */
public class RunConnections implements DataSource {

    private static final ThreadLocal<Connection> CURRENT = new ThreadLocal<>();

    /** Binds the run's connection to the current thread; the run's steps all execute on this thread. */
    public static void bind(Connection connection) {
        CURRENT.set(connection);
    }

    public static void unbind() {
        CURRENT.remove();
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection connection = CURRENT.get();
        if (connection == null) {
            throw new SQLException("No export run on thread " + Thread.currentThread().getName()
                    + "; the feed query runs only inside the export-run route");
        }
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, arguments) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    if (method.getName().equals("isClosed")) {
                        return connection.isClosed();
                    }
                    try {
                        return method.invoke(connection, arguments);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("Run connections come from the pool's credentials");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // Nothing is logged through the DataSource API.
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // The pool's connection timeout applies.
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        throw new SQLException("Not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return false;
    }
}
