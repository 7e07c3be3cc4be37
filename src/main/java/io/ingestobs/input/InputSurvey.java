package io.ingestobs.input;

import io.ingestobs.domain.RunRecordValidator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A first streaming pass over an input file: how many records it holds and when its newest run ended. The
 * producer announces the count before publishing, and rebasing needs the newest time before the first record.
 */
public record InputSurvey(long records, Instant newestRun) {

    /** The count alone, as cheaply as the file's form allows (no newest run: nothing to rebase). */
    public static InputSurvey count(Path path, RunRecordValidator validator) throws IOException {
        try (InputRecordStream stream = InputRecordStream.open(path, validator)) {
            if (stream.plainLinesUnread()) {
                // a plain JSON Lines file: its lines counted in parts side by side, as the stream would count them
                return new InputSurvey(LineCount.nonBlankLines(path, Files.size(path),
                        Runtime.getRuntime().availableProcessors()), null);
            }
            return new InputSurvey(stream.countRemaining(), null);
        }
    }

    public static InputSurvey of(Path path, RunRecordValidator validator) throws IOException {
        long records = 0;
        Instant newest = null;
        try (InputRecordStream stream = InputRecordStream.open(path, validator)) {
            while (stream.hasNext()) {
                ParsedRecord record = stream.next();
                records++;
                if (record.valid()) {
                    Instant time = record.run().eventTime();
                    if (newest == null || time.isAfter(newest)) {
                        newest = time;
                    }
                }
            }
        }
        return new InputSurvey(records, newest);
    }

    /** Milliseconds to add to every run so that the newest ends at {@code now}; 0 when there is no valid run. */
    public long rebaseMillis(Instant now) {
        return newestRun == null ? 0 : now.toEpochMilli() - newestRun.toEpochMilli();
    }
}
