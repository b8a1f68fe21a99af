package io.barcodepush.fault;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Collects, in memory, what one class logs at a level or above while the capture is open, so a test can check that
 * an error was logged. Log4j 2 is the logging back end of the product and of the tests.
 */
final class CapturedLog extends AbstractAppender implements AutoCloseable {

    private final String loggerName;
    private final LoggerConfig loggerConfig;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private CapturedLog(String loggerName, LoggerConfig loggerConfig) {
        super("captured-" + loggerName, null, null, true, Property.EMPTY_ARRAY);
        this.loggerName = loggerName;
        this.loggerConfig = loggerConfig;
    }

    /** Starts capturing what {@code source} logs at {@code level} or above. */
    static CapturedLog of(Class<?> source, Level level) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        LoggerConfig config = context.getConfiguration().getLoggerConfig(source.getName());
        CapturedLog log = new CapturedLog(source.getName(), config);
        log.start();
        config.addAppender(log, level, null);
        context.updateLoggers();
        return log;
    }

    @Override
    public void append(LogEvent event) {
        if (event.getLoggerName().equals(loggerName)) {
            lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
        }
    }

    /** Returns the captured lines, each the level and the formatted message. */
    List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        loggerConfig.removeAppender(getName());
        ((LoggerContext) LogManager.getContext(false)).updateLoggers();
        stop();
    }
}
