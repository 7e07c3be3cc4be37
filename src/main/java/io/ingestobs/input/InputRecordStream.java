package io.ingestobs.input;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ingestobs.domain.RejectReason;
import io.ingestobs.domain.Rejection;
import io.ingestobs.domain.RunRecordValidator;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Streams the records of one input file, a JSON array or JSON Lines, in constant memory (SPEC §2). Every record
 * comes out, valid or not; a syntax error inside an array ends the stream with one {@code rest_of_file} record.
 */
public final class InputRecordStream implements Iterator<ParsedRecord>, Closeable {

    /** The most of a broken array's remainder kept in its dead letter. */
    static final int MAX_REST_BYTES = 1 << 20;

    private static final ObjectMapper ARRAY_MAPPER = new ObjectMapper();
    /** A line is one value: {@code {...} junk} is not JSON. Not for arrays, whose elements all "trail". */
    private static final ObjectMapper LINE_MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final String file;
    private final RunRecordValidator validator;
    private final CountingInputStream counted;
    private final InputStream in;
    private final JsonParser arrayParser;
    private final BufferedReader lines;
    private ParsedRecord next;
    private long count;
    private boolean finished;

    private InputRecordStream(String file, InputStream raw, RunRecordValidator validator) throws IOException {
        this.file = file;
        this.validator = validator;
        this.counted = new CountingInputStream(raw);
        this.in = new BufferedInputStream(counted, 1 << 16);
        if (startsWithArray(in)) {
            this.arrayParser = ARRAY_MAPPER.getFactory().createParser(in);
            this.lines = null;
            arrayParser.nextToken();
        } else {
            this.arrayParser = null;
            this.lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        }
    }

    public static InputRecordStream open(Path path, RunRecordValidator validator) throws IOException {
        return new InputRecordStream(path.getFileName().toString(), Files.newInputStream(path), validator);
    }

    public static InputRecordStream of(String file, InputStream in, RunRecordValidator validator) throws IOException {
        return new InputRecordStream(file, in, validator);
    }

    private static boolean startsWithArray(InputStream in) throws IOException {
        in.mark(64 * 1024);
        try {
            int b;
            do {
                b = in.read();
            } while (b == ' ' || b == '\n' || b == '\r' || b == '\t' || b == 0xEF || b == 0xBB || b == 0xBF);
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
            return new ParsedRecord(file, position, restOfFile(), null, new Rejection(RejectReason.REST_OF_FILE,
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

    private ParsedRecord nextLine() throws IOException {
        String line;
        do {
            line = lines.readLine();
            if (line == null) {
                return null;
            }
            count++;
        } while (line.isBlank());
        String position = "line " + count;
        JsonNode node;
        try {
            node = LINE_MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            return new ParsedRecord(file, position, line, null,
                    new Rejection(RejectReason.INVALID_JSON, "not JSON: " + e.getOriginalMessage()));
        }
        return toRecord(position, node, line);
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
