package io.ingestobs.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The log files of the processes a test starts (Loki, Prometheus, consumer replicas), for its failure messages. */
public final class LogFiles {

    private static final int TAIL_CHARS = 4000;

    private LogFiles() {
    }

    /** The whole log, or why there is none: a failure message must not fail itself. */
    public static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The last 4000 characters of {@code text}: enough for the error, short enough for a report. */
    public static String tail(String text) {
        return text.length() > TAIL_CHARS ? text.substring(text.length() - TAIL_CHARS) : text;
    }
}
