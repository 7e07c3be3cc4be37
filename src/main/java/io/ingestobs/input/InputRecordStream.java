package io.ingestobs.input;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ingestobs.domain.CanonicalRunTranscoder;
import io.ingestobs.domain.RejectReason;
import io.ingestobs.domain.Rejection;
import io.ingestobs.domain.RunRecordValidator;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Streams the records of one input file, a JSON array or JSON Lines, in constant memory (SPEC §2). Every record
 * comes out, valid or not; a syntax error inside an array ends the stream with one {@code rest_of_file} record.
 * The file may be gzip-compressed (recognised by its content, whatever its name) and start with a UTF-8 BOM; a
 * gzip file cut short ends the stream with one {@code rest_of_file} record too.
 */
public final class InputRecordStream implements Iterator<ParsedRecord>, Closeable {

    /** The most of a broken array's remainder kept in its dead letter. */
    static final int MAX_REST_BYTES = 1 << 20;

    /**
     * Leaves the input open at its end: an array that ends too early is read up to there, and what it held after
     * its last whole record is then still to be read into the {@code rest_of_file} record; the stream closes it.
     */
    private static final ObjectMapper ARRAY_MAPPER = new ObjectMapper()
            .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
    /** A line is one value: {@code {...} junk} is not JSON. Not for arrays, whose elements all "trail". */
    private static final ObjectMapper LINE_MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final String file;
    private final RunRecordValidator validator;
    private final CountingInputStream counted;
    private final InputStream in;
    private final GzipContent gzip;
    private final JsonParser arrayParser;
    private final ByteLines lines;
    /** Reads the lines in the plain form straight into their events; null: every line the reference way. */
    private final CanonicalRunTranscoder.Session transcoder;
    private ParsedRecord next;
    private long count;
    private boolean finished;
    private boolean cutShortReported;

    private InputRecordStream(String file, InputStream raw, RunRecordValidator validator,
                              CanonicalRunTranscoder transcoder) throws IOException {
        this.file = file;
        this.validator = validator;
        this.counted = new CountingInputStream(raw);
        InputStream content = new BufferedInputStream(counted, 1 << 16);
        if (GzipContent.isGzip(content)) {
            this.gzip = new GzipContent(content);
            content = new BufferedInputStream(gzip, 1 << 16);
        } else {
            this.gzip = null;
        }
        skipByteOrderMark(content);
        this.in = content;
        if (startsWithArray(in)) {
            this.arrayParser = ARRAY_MAPPER.getFactory().createParser(in);
            this.lines = null;
            this.transcoder = null;
            arrayParser.nextToken();
        } else {
            this.arrayParser = null;
            this.lines = new ByteLines(in);
            this.transcoder = transcoder == null ? null : transcoder.session();
        }
    }

    public static InputRecordStream open(Path path, RunRecordValidator validator) throws IOException {
        return open(path, validator, null);
    }

    /**
     * The records of a file; with a {@code transcoder}, the JSON Lines records in its plain form come out already
     * written as their topic records ({@link ParsedRecord#transcoded()}), the others as {@link #open(Path,
     * RunRecordValidator)} gives them.
     */
    public static InputRecordStream open(Path path, RunRecordValidator validator, CanonicalRunTranscoder transcoder)
            throws IOException {
        return new InputRecordStream(path.getFileName().toString(), Files.newInputStream(path), validator,
                transcoder);
    }

    public static InputRecordStream of(String file, InputStream in, RunRecordValidator validator) throws IOException {
        return of(file, in, validator, null);
    }

    public static InputRecordStream of(String file, InputStream in, RunRecordValidator validator,
                                       CanonicalRunTranscoder transcoder) throws IOException {
        return new InputRecordStream(file, in, validator, transcoder);
    }

    /** Windows tools start UTF-8 files with EF BB BF; it is not part of the first record. */
    private static void skipByteOrderMark(InputStream in) throws IOException {
        in.mark(3);
        if (in.read() != 0xEF || in.read() != 0xBB || in.read() != 0xBF) {
            in.reset();
        }
    }

    private static boolean startsWithArray(InputStream in) throws IOException {
        in.mark(64 * 1024);
        try {
            int b;
            do {
                b = in.read();
            } while (b == ' ' || b == '\n' || b == '\r' || b == '\t');
            return b == '[';
        } finally {
            in.reset();
        }
    }

    @Override
    public boolean hasNext() {
        if (next == null && !finished) {
            try {
                next = arrayParser != null ? nextFromArray() : nextLine();
                if (next == null) {
                    next = cutShortRecord();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + file, e);
            }
            if (next == null) {
                finished = true;
                closeQuietly();
            }
        }
        return next != null;
    }

    @Override
    public ParsedRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ParsedRecord record = next;
        next = null;
        return record;
    }

    /** Whether the file is JSON Lines read as it is (not an array, not gzip) and nothing of it has been read yet. */
    boolean plainLinesUnread() {
        return arrayParser == null && gzip == null && next == null && count == 0 && !finished;
    }

    /**
     * How many records are left, consuming them, as {@link #next()} would give them: the lines of a plain JSON
     * Lines file are only counted (a non-blank line is a record, valid or not); an array, or a gzip file (which may
     * be cut short), is read record by record.
     */
    public long countRemaining() {
        long n = 0;
        if (arrayParser != null || gzip != null || next != null) {
            while (hasNext()) {
                next();
                n++;
            }
            return n;
        }
        try {
            while (!finished && lines.next()) {
                if (!blank(lines)) {
                    n++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
        finished = true;
        closeQuietly();
        return n;
    }

    /**
     * Whether a line holds nothing but white space (and maybe a BOM, {@link #withoutBom}). Decided on the bytes while
     * they are ASCII, on the text as {@link #nextLine} does otherwise.
     */
    static boolean blank(ByteLines lines) {
        byte[] b = lines.buffer();
        for (int i = lines.start(); i < lines.end(); i++) {
            byte c = b[i];
            if (c < 0) {
                return withoutBom(lines.text()).isBlank();
            }
            if (!Character.isWhitespace(c)) {
                return false;
            }
        }
        return true;
    }

    private ParsedRecord nextFromArray() throws IOException {
        String position = "record " + (count + 1);
        JsonNode node;
        try {
            JsonToken token = arrayParser.nextToken();
            if (token == null || token == JsonToken.END_ARRAY) {
                return null;
            }
            node = arrayParser.readValueAsTree();
        } catch (JsonProcessingException e) {
            count++;
            finished = true;
            String rest = restOfFile();
            if (gzip != null && gzip.cutShort() != null) {
                cutShortReported = true;
                return new ParsedRecord(file, position, rest, null, new Rejection(RejectReason.REST_OF_FILE,
                        cutShortError() + "; its last, incomplete record is kept here"));
            }
            return new ParsedRecord(file, position, rest, null, new Rejection(RejectReason.REST_OF_FILE,
                    "JSON syntax error at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage()
                            + "; the rest of the file cannot be split into records"));
        }
        count++;
        return toRecord(position, node, node == null ? "" : node.toString());
    }

    private String restOfFile() throws IOException {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        arrayParser.releaseBuffered(rest);
        byte[] buffer = new byte[8192];
        int read;
        while ((read = in.read(buffer)) > 0) {
            if (rest.size() < MAX_REST_BYTES) {
                rest.write(buffer, 0, Math.min(read, MAX_REST_BYTES - rest.size()));
            }
        }
        String text = rest.toString(StandardCharsets.UTF_8);
        return text.length() > MAX_REST_BYTES ? text.substring(0, MAX_REST_BYTES) : text;
    }

    /** Files concatenated with `cat` keep each one's BOM at the start of a line: it is not part of the record. */
    private static String withoutBom(String line) {
        return !line.isEmpty() && line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
    }

    private ParsedRecord nextLine() throws IOException {
        String line;
        do {
            if (!lines.next()) {
                return null;
            }
            count++;
            if (transcoder != null) {
                byte[] bytes = lines.buffer();
                int start = lines.start();
                int end = lines.end();
                CanonicalRunTranscoder.Transcoded event = end > start && bytes[start] == '{'
                        ? transcoder.transcode(bytes, start, end) : null;
                if (event != null) {
                    return ParsedRecord.transcoded(file, count, Arrays.copyOfRange(bytes, start, end), event);
                }
            }
            line = withoutBom(lines.text());
        } while (line.isBlank());
        String position = "line " + count;
        JsonNode node;
        try {
            node = LINE_MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            if (gzip != null && gzip.cutShort() != null && atEndOfLines()) {
                // not a bad line: the last line the cut left, half written
                cutShortReported = true;
                return new ParsedRecord(file, position, line, null, new Rejection(RejectReason.REST_OF_FILE,
                        cutShortError() + "; its last, incomplete line is kept here"));
            }
            return new ParsedRecord(file, position, line, null,
                    new Rejection(RejectReason.INVALID_JSON, "not JSON: " + e.getOriginalMessage()));
        }
        return toRecord(position, node, line);
    }

    private boolean atEndOfLines() throws IOException {
        return lines.atEnd();
    }

    /**
     * The one record that accounts for what a gzip file cut short lost, when the cut fell between two records
     * (otherwise the record it broke already said so).
     */
    private ParsedRecord cutShortRecord() {
        if (gzip == null || gzip.cutShort() == null || cutShortReported) {
            return null;
        }
        cutShortReported = true;
        count++;
        return new ParsedRecord(file, (arrayParser != null ? "record " : "line ") + count, "", null,
                new Rejection(RejectReason.REST_OF_FILE, cutShortError()));
    }

    private String cutShortError() {
        IOException cause = gzip.cutShort();
        String why = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
        return "the gzip file is cut short or corrupt (" + why + ") after "
                + (arrayParser != null ? "record " : "line ") + (count - 1) + ": what came after it is lost";
    }

    private ParsedRecord toRecord(String position, JsonNode node, String original) {
        RunRecordValidator.Outcome outcome = validator.validate(node);
        if (outcome instanceof RunRecordValidator.Valid valid) {
            return new ParsedRecord(file, position, original, valid.run(), null);
        }
        return new ParsedRecord(file, position, original, null, ((RunRecordValidator.Invalid) outcome).rejection());
    }

    /** Bytes taken from the file so far (read ahead by a buffer): enough for a progress percentage. */
    public long bytesRead() {
        return counted.count;
    }

    @Override
    public void close() {
        finished = true;
        closeQuietly();
    }

    private static final class CountingInputStream extends java.io.FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int read = super.read(buffer, offset, length);
            if (read > 0) {
                count += read;
            }
            return read;
        }
    }

    private void closeQuietly() {
        try {
            if (arrayParser != null) {
                arrayParser.close();
            }
            in.close();
        } catch (IOException ignored) {
            // nothing left to read from it either way
        }
    }
}
