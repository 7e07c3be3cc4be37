package io.ingestobs.input;

import io.ingestobs.domain.RejectReason;
import io.ingestobs.domain.RunRecordValidator;
import io.ingestobs.domain.TimestampParser;
import org.junit.jupiter.api.Test;

import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InputRecordStreamTest {

    private final RunRecordValidator validator = new RunRecordValidator(new TimestampParser(ZoneOffset.UTC));

    private List<ParsedRecord> read(String text) throws IOException {
        return read(text.getBytes(StandardCharsets.UTF_8));
    }

    private List<ParsedRecord> read(byte[] bytes) throws IOException {
        List<ParsedRecord> records = new ArrayList<>();
        try (InputRecordStream stream = InputRecordStream.of("t.json", new ByteArrayInputStream(bytes), validator)) {
            stream.forEachRemaining(records::add);
        }
        return records;
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] withBom(String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[body.length + 3];
        bytes[0] = (byte) 0xEF;
        bytes[1] = (byte) 0xBB;
        bytes[2] = (byte) 0xBF;
        System.arraycopy(body, 0, bytes, 3, body.length);
        return bytes;
    }

    private static String run(int n) {
        return "{\"Source\":\"PowerBI\",\"Objet\":\"o" + n + "\",\"Etat\":\"SUCCESS\",\"Fin\":\"2025-09-15 10:30:00.000\","
                + "\"Description\":\"run " + n + " é€😀\"}";
    }

    private static final String VALID = "{\"Source\":\"PowerBI\",\"Objet\":\"workspaces\",\"Etat\":\"SUCCESS\","
            + "\"Fin\":\"2025-09-15 10:30:00.000\"}";

    @Test
    void theSampleFileHoldsTheSpecsSeventyTwoRunsWithOneFailure() throws IOException {
        List<ParsedRecord> records = new ArrayList<>();
        try (InputRecordStream stream = InputRecordStream.open(Path.of("logs.json"), validator)) {
            stream.forEachRemaining(records::add);
        }
        assertEquals(72, records.size());
        assertTrue(records.stream().allMatch(ParsedRecord::valid), () -> records.stream()
                .filter(r -> !r.valid()).findFirst().map(ParsedRecord::rejection).toString());
        assertEquals(1, records.stream().filter(r -> r.run().failed()).count());
        assertEquals(72, records.stream().map(r -> r.run().source() + "/" + r.run().objet()).distinct().count());
        assertEquals("record 72", records.get(71).position());
    }

    @Test
    void readsJsonLinesOneRecordPerLineAndRejectsBadLinesAlone() throws IOException {
        List<ParsedRecord> records = read(VALID + "\n\n{not json}\n[1,2]\n" + VALID + "\n");
        assertEquals(4, records.size());
        assertTrue(records.get(0).valid());
        assertEquals(RejectReason.INVALID_JSON, records.get(1).rejection().reason());
        assertEquals("line 3", records.get(1).position());
        assertEquals("{not json}", records.get(1).original());
        assertEquals(RejectReason.NOT_AN_OBJECT, records.get(2).rejection().reason());
        assertTrue(records.get(3).valid());
        assertEquals("line 5", records.get(3).position());
    }

    @Test
    void aSyntaxErrorInAnArraySendsTheRestOfTheFileAsOneRecord() throws IOException {
        List<ParsedRecord> records = read("[" + VALID + ",\"text\"," + VALID + ", {\"Source\": oops}, " + VALID + "]");
        assertEquals(4, records.size());
        assertTrue(records.get(0).valid());
        assertEquals(RejectReason.NOT_AN_OBJECT, records.get(1).rejection().reason());
        assertTrue(records.get(2).valid());
        ParsedRecord rest = records.get(3);
        assertEquals(RejectReason.REST_OF_FILE, rest.rejection().reason());
        assertEquals("record 4", rest.position());
        assertTrue(rest.original().contains("PowerBI"), rest.original());
        assertNull(rest.run());
    }

    @Test
    void aByteOrderMarkIsSkippedInJsonLinesWithCrlfAndBlankLines() throws IOException {
        List<ParsedRecord> records = read(withBom(VALID + "\r\n\r\n" + VALID + "\r\n   \r\n" + VALID + "\r\n"));
        assertEquals(3, records.size());
        assertTrue(records.stream().allMatch(ParsedRecord::valid), () -> records.get(0).rejection().toString());
        assertEquals(List.of("line 1", "line 3", "line 5"), records.stream().map(ParsedRecord::position).toList());
        assertEquals(VALID, records.get(0).original());
    }

    @Test
    void aByteOrderMarkIsSkippedBeforeAnArray() throws IOException {
        List<ParsedRecord> records = read(withBom("[\r\n" + VALID + ",\r\n" + VALID + "\r\n]\r\n"));
        assertEquals(2, records.size());
        assertTrue(records.stream().allMatch(ParsedRecord::valid));
    }

    @Test
    void concatenatedFilesKeepTheirBomsAtLineStarts() throws IOException {
        List<ParsedRecord> records = read("\uFEFF" + VALID + "\n\uFEFF" + VALID + "\n");
        assertEquals(2, records.size());
        assertTrue(records.stream().allMatch(ParsedRecord::valid));
    }

    @Test
    void gzipFilesAreReadAsAStreamWhateverTheirName(@TempDir Path dir) throws IOException {
        StringBuilder lines = new StringBuilder();
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < 5000; i++) {
            lines.append(run(i)).append("\r\n");
            array.append(i == 0 ? "" : ",\n").append(run(i));
        }
        array.append("]");
        for (String text : List.of(lines.toString(), array.toString())) {
            Path file = dir.resolve("runs.gz");
            Files.write(file, gzip(withBom(text)));
            List<ParsedRecord> records = new ArrayList<>();
            try (InputRecordStream stream = InputRecordStream.open(file, validator)) {
                stream.forEachRemaining(records::add);
                assertEquals(Files.size(file), stream.bytesRead(), "progress counts the compressed bytes");
            }
            assertEquals(5000, records.size());
            assertTrue(records.stream().allMatch(ParsedRecord::valid));
            assertEquals("o4999", records.get(4999).run().objet());
            assertEquals("run 0 é€😀", records.get(0).run().description());
        }
    }

    @Test
    void aGzipFileCutShortGivesItsWholeRecordsThenOneRestOfFile() throws IOException {
        StringBuilder lines = new StringBuilder();
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < 400; i++) {
            lines.append(run(i)).append('\n');
            array.append(i == 0 ? "" : ",").append(run(i));
        }
        array.append("]");
        for (String text : List.of(lines.toString(), array.toString())) {
            byte[] whole = gzip(text.getBytes(StandardCharsets.UTF_8));
            // every cut from inside the header to inside the trailer
            for (int cut = 5; cut < whole.length; cut += 37) {
                byte[] cutShort = java.util.Arrays.copyOf(whole, cut);
                List<ParsedRecord> records = read(cutShort);
                String at = (text.startsWith("[") ? "array" : "lines") + " cut at " + cut + "/" + whole.length;
                List<ParsedRecord> rejected = records.stream().filter(r -> !r.valid()).toList();
                assertEquals(1, rejected.size(), at);
                ParsedRecord rest = rejected.get(0);
                assertEquals(RejectReason.REST_OF_FILE, rest.rejection().reason(), at);
                assertTrue(rest.rejection().error().contains("gzip file is cut short"), rest.rejection().error());
                assertEquals(records.size() - 1, records.indexOf(rest), "the rest comes last: " + at);
                for (int i = 0; i < records.size() - 1; i++) {
                    assertEquals("o" + i, records.get(i).run().objet(), at);
                }
                String partial = records.size() - 1 < 400 ? run(records.size() - 1) : "";
                // a cut inside a character leaves a replacement character at the end
                String kept = rest.original().replaceFirst("^,", "").replaceFirst("\uFFFD+$", "");
                assertTrue(partial.startsWith(kept),
                        () -> at + ": the rest holds the start of the record it broke: " + rest.original());
            }
        }
    }

    @Test
    void aGzipFileCutInItsTrailerStillSaysSo() throws IOException {
        byte[] whole = gzip((VALID + "\n" + VALID + "\n").getBytes(StandardCharsets.UTF_8));
        List<ParsedRecord> records = read(java.util.Arrays.copyOf(whole, whole.length - 4));
        assertEquals(3, records.size());
        assertTrue(records.get(0).valid());
        assertTrue(records.get(1).valid());
        assertEquals(RejectReason.REST_OF_FILE, records.get(2).rejection().reason());
        assertEquals("line 3", records.get(2).position());
        assertEquals("", records.get(2).original());
        assertEquals("the gzip file is cut short or corrupt (EOFException) after line 2: what came after it is lost",
                records.get(2).rejection().error());
    }

    @Test
    void anArrayThatEndsTooEarlyGivesItsRecordsThenTheRest() throws IOException {
        List<ParsedRecord> records = read("[" + VALID + "," + VALID + ",{\"Source\":\"Pow");
        assertEquals(3, records.size());
        assertTrue(records.get(1).valid());
        assertEquals(RejectReason.REST_OF_FILE, records.get(2).rejection().reason());
        assertEquals("record 3", records.get(2).position());
        assertTrue(records.get(2).rejection().error().contains("end-of-input"), records.get(2).rejection().error());
    }

    @Test
    void anEmptyArrayHasNoRecords() throws IOException {
        assertEquals(0, read("  [ ]  ").size());
    }

    /** The count the producer announces before publishing is the number of records the stream then gives. */
    @Test
    void theCountIsTheNumberOfRecordsTheStreamGivesWhateverTheForm() throws IOException {
        String lines = run(1) + "\n\n  \r\n" + "not json\n" + "\uFEFF" + run(2) + "\r\n\uFEFF\n" + run(3);
        String array = "[" + run(1) + ", 42, " + run(2) + ", {\"broken\": ]";
        byte[] whole = gzip((lines + "\n").getBytes(StandardCharsets.UTF_8));
        byte[] cutShort = java.util.Arrays.copyOf(whole, whole.length - 12);
        for (byte[] bytes : List.of(lines.getBytes(StandardCharsets.UTF_8), withBom(lines),
                array.getBytes(StandardCharsets.UTF_8), whole, cutShort, new byte[0])) {
            long count;
            try (InputRecordStream stream = InputRecordStream.of("t.json", new ByteArrayInputStream(bytes),
                    validator)) {
                count = stream.countRemaining();
            }
            assertEquals(read(bytes).size(), count);
        }
        assertEquals(4, read(lines).size(), "blank and BOM-only lines are no records, an invalid line is one");
    }
}
