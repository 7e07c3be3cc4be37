package io.ingestobs.input;

import io.ingestobs.domain.CanonicalRunTranscoder;
import io.ingestobs.domain.Rejection;
import io.ingestobs.domain.RunRecord;

import java.nio.charset.StandardCharsets;

/**
 * One record as read from an input file: where it was, its text, and either the run (or, when it was in the plain
 * form, its topic record already written: {@link #transcoded()}) or why it was refused.
 * <p>
 * A record read the fast way keeps its line as bytes and its line number: its text and position are only made into
 * strings if it ever needs them (a dead letter), not for every record of a large file.
 */
public final class ParsedRecord {

    private final String file;
    private final long line;
    private String position;
    private String original;
    private final byte[] originalUtf8;
    private final RunRecord run;
    private final Rejection rejection;
    private final CanonicalRunTranscoder.Transcoded transcoded;

    /** A record read the reference way: exactly one of {@code run} and {@code rejection} is set. */
    public ParsedRecord(String file, String position, String original, RunRecord run, Rejection rejection) {
        this.file = file;
        this.line = 0;
        this.position = position;
        this.original = original;
        this.originalUtf8 = null;
        this.run = run;
        this.rejection = rejection;
        this.transcoded = null;
    }

    private ParsedRecord(String file, long line, byte[] originalUtf8, CanonicalRunTranscoder.Transcoded transcoded) {
        this.file = file;
        this.line = line;
        this.originalUtf8 = originalUtf8;
        this.run = null;
        this.rejection = null;
        this.transcoded = transcoded;
    }

    /** A valid JSON Lines record read the fast way: line {@code line} of the file, its bytes, its topic record. */
    static ParsedRecord transcoded(String file, long line, byte[] originalUtf8,
                                   CanonicalRunTranscoder.Transcoded transcoded) {
        return new ParsedRecord(file, line, originalUtf8, transcoded);
    }

    public String file() {
        return file;
    }

    public String position() {
        if (position == null) {
            position = "line " + line;
        }
        return position;
    }

    public String original() {
        if (original == null && originalUtf8 != null) {
            original = new String(originalUtf8, StandardCharsets.UTF_8);
        }
        return original;
    }

    /** The run, when the record was read the reference way; null when it was transcoded or refused. */
    public RunRecord run() {
        return run;
    }

    public Rejection rejection() {
        return rejection;
    }

    /** The key and event of a record read the fast way; null otherwise. */
    public CanonicalRunTranscoder.Transcoded transcoded() {
        return transcoded;
    }

    public boolean valid() {
        return run != null || transcoded != null;
    }

    @Override
    public String toString() {
        return "ParsedRecord[" + file + ", " + position() + ", " + (valid() ? "valid" : rejection) + "]";
    }
}
