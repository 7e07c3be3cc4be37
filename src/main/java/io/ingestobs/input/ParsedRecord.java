package io.ingestobs.input;

import io.ingestobs.domain.Rejection;
import io.ingestobs.domain.RunRecord;

/**
 * One record as read from an input file: where it was, its text, and either the run or why it was refused.
 * Exactly one of {@code run} and {@code rejection} is set.
 */
public record ParsedRecord(String file, String position, String original, RunRecord run, Rejection rejection) {

    public boolean valid() {
        return run != null;
    }
}
