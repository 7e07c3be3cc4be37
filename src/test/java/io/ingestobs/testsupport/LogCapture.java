package io.ingestobs.testsupport;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The messages one logger writes at a level or above, while started: what a test expects the operator to be told.
 */
public final class LogCapture {

    private final Logger logger;
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;

    public LogCapture(String loggerName, Level atLeast) {
        this.logger = (Logger) LogManager.getLogger(loggerName);
        this.appender = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLevel().isMoreSpecificThan(atLeast)) {
                    messages.add(event.getMessage().getFormattedMessage());
                }
            }
        };
    }

    public void start() {
        appender.start();
        logger.addAppender(appender);
    }

    public void stop() {
        logger.removeAppender(appender);
        appender.stop();
    }

    /** The messages so far, formatted, in the order they were written. */
    public List<String> messages() {
        return messages;
    }
}
