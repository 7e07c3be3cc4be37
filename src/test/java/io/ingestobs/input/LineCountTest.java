package io.ingestobs.input;

import io.ingestobs.domain.RunRecordValidator;
import io.ingestobs.domain.TimestampParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The count in parts gives, wherever the parts are cut (inside a line, between a CR and its LF, on a line's first
 * byte), the count the stream gives: lines split at LF, CR and CRLF, blank and white-space lines (ASCII and not)
 * left out, a BOM, a last line without an end, lines longer than the reading buffer.
 */
class LineCountTest {

    private static final RunRecordValidator VALIDATOR = new RunRecordValidator(new TimestampParser(ZoneOffset.UTC));
    private static final String[] ENDS = {"\n", "\r", "\r\n"};
    private static final String[] LINES = {"{\"Source\":\"S\"}", "", "   ", "\t", " \u2003 ", "\u00a0",
            "{\"Description\":\"é ü \u2003\"}", "x", "\uFEFF", "\uFEFF{\"a\":1}", "\u000b\u001c"};

    @Test
    void partsCutAnywhereCountWhatTheStreamCounts(@TempDir Path dir) throws Exception {
        Random random = new Random(13);
        for (int round = 0; round < 300; round++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (random.nextInt(4) == 0) {
                out.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
            }
            int lines = random.nextInt(40);
            for (int i = 0; i < lines; i++) {
                String line = random.nextInt(30) == 0 ? "{\"d\":\"" + "y".repeat(random.nextInt(3_000_000)) + "\"}"
                        : LINES[random.nextInt(LINES.length)];
                out.write(line.getBytes(StandardCharsets.UTF_8));
                if (i < lines - 1 || random.nextBoolean()) {
                    out.write(ENDS[random.nextInt(ENDS.length)].getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] bytes = out.toByteArray();
            if (bytes.length > 0 && firstNonSpace(bytes) == '[') {
                continue;
            }
            Path file = dir.resolve("f" + round + ".jsonl");
            Files.write(file, bytes);
            long expected;
            try (InputRecordStream stream = InputRecordStream.open(file, VALIDATOR)) {
                expected = stream.countRemaining();
            }
            // cut points anywhere, the file's first and last bytes included
            int parts = 1 + random.nextInt(6);
            long[] cuts = new long[parts + 1];
            for (int i = 1; i < parts; i++) {
                cuts[i] = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
            }
            cuts[parts] = Long.MAX_VALUE;
            Arrays.sort(cuts, 1, parts);
            long counted = 0;
            for (int i = 0; i < parts; i++) {
                counted += LineCount.nonBlankLines(file, cuts[i], cuts[i + 1]);
            }
            assertEquals(expected, counted, "round " + round + ", cuts " + Arrays.toString(cuts));
            assertEquals(expected, LineCount.nonBlankLines(file, bytes.length, 1 + random.nextInt(4)));
        }
    }

    @Test
    void aFileAboveTheThresholdIsCountedInPartsAsTheStreamCountsIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("big.jsonl");
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (text.length() < LineCount.PARALLEL_MIN_BYTES + 1000) {
            text.append("{\"id\":").append(i).append(",\"Source\":\"S\"}").append(ENDS[i % 3]);
            if (i % 97 == 0) {
                text.append(" \r\n");
            }
            i++;
        }
        Files.writeString(file, text);
        long expected;
        try (InputRecordStream stream = InputRecordStream.open(file, VALIDATOR)) {
            expected = stream.countRemaining();
        }
        assertEquals(i, expected);
        for (int parts = 1; parts <= 5; parts++) {
            assertEquals(expected, LineCount.nonBlankLines(file, Files.size(file), parts), parts + " parts");
        }
        assertEquals(expected, InputSurvey.count(file, VALIDATOR).records());
    }

    private static int firstNonSpace(byte[] bytes) {
        int i = bytes.length >= 3 && bytes[0] == (byte) 0xEF ? 3 : 0;
        while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\n' || bytes[i] == '\r' || bytes[i] == '\t')) {
            i++;
        }
        return i < bytes.length ? bytes[i] : -1;
    }
}
