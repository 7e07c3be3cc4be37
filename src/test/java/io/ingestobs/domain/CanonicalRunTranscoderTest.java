package io.ingestobs.domain;

import io.ingestobs.input.InputRecordStream;
import io.ingestobs.input.ParsedRecord;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The producer writes the events of plain input lines straight from their bytes and leaves every other line to the
 * reference path (Jackson, {@link RunRecordValidator}, {@link EventRestructurer}, {@link EventJson#write}): whatever
 * the bytes, a line it transcodes must be one the reference accepts, with the same key and byte-identical event, and
 * reading a file with it must give the same records, positions and texts as reading it without.
 */
class CanonicalRunTranscoderTest {

    private static final Thresholds THRESHOLDS = Thresholds.DEFAULT;
    private static final int DESCRIPTION_MAX = 200;
    private final RunRecordValidator validator = new RunRecordValidator(new TimestampParser(ZoneOffset.UTC));
    private final EventRestructurer restructurer = new EventRestructurer(THRESHOLDS, DESCRIPTION_MAX);
    private final CanonicalRunTranscoder transcoder =
            CanonicalRunTranscoder.forZone(ZoneOffset.UTC, THRESHOLDS, DESCRIPTION_MAX);

    private static final String[] TEXTS = {"PowerBI", "sharepoint_graph", "é€😀", "x", " PowerBI", "PowerBI ", "",
            "   ", "a\\\"b", "a\\nb", "tab\there", "1-Raw", "akonovia", "\u2003", "Île", "ß", "a/b", "\u007f",
            "d".repeat(DESCRIPTION_MAX), "é".repeat(DESCRIPTION_MAX / 2 + 1), "x\\u00e9"};
    private static final String[] ETATS = {"SUCCESS", "FAILED", "failed", "Success", "RUNNING", "ÉCHEC", " FAILED",
            "", "fAiLeD"};
    private static final String[] TIMES = {"2025-09-15 10:29:58.846", "2025-09-15 10:29:58", "2025-09-15 10:29:58.8",
            "2025-09-15 10:29:58.84", "2025-09-15 10:29:58.123456789", "2025-09-15 10:29:58.1234567890",
            "2025-09-15 10:29:58,846", "2025-09-15T10:29:58.846Z", "2025-09-15T10:29:58.846+02:00",
            "2025-02-29 10:00:00.000", "2024-02-29 10:00:00.000", "2025-04-31 10:00:00.000", "2025-13-01 10:00:00.000",
            "2025-09-15 24:00:00.000", "2025-09-15 23:60:00.000", "2025-09-15 23:59:60.000", "0000-01-01 00:00:00.000",
            "0001-01-01 00:00:00.000", "9999-12-31 23:59:59.999", "2025-09-15 10:29:58.", "2025-9-15 10:29:58.846",
            " 2025-09-15 10:29:58.846", "2025-09-15 10:29:58.846 ", "15/09/2025 10h", "2025-09-15 10:29:58.8a6",
            "2025-00-10 10:00:00", "2025-09-00 10:00:00"};
    private static final String[] TIME_NUMBERS = {"1757932198", "1757932198846", "1757932198.846", "-5", "1e12"};
    private static final String[] DECIMALS = {"1.154133", "0.11", "0", "0.0", "5", "5.0", "1.50", "100.000", "0.001",
            "0.0009", "0.0010", "9999999.5", "10000000.0", "12345678.9", "1.0E-4", "1e3", "-1.5", "-0", "00.5",
            "01", "1.", ".5", "123456789012345", "1234567890.12345", "1.23456789012345678", "0.1234567890123456",
            "60", "60.0", "60.000001", "59.999999", "1e400", "0.00100000000000", "3.14159265358979"};
    private static final String[] INTEGERS = {"0", "1", "5849088", "157286400", "157286401", "-1", "-0", "00", "012",
            "123456789012345678", "1234567890123456789", "9223372036854775807", "5849088.0", "5.8e6", "1.5",
            "209715199", "20971520000", "2097152000000", "-1224"};

    @Test
    void everyLineItTranscodesIsTheReferenceEventByteForByte() throws IOException {
        Random random = new Random(13);
        int transcoded = 0;
        int lines = 60_000;
        for (int n = 0; n < lines; n++) {
            byte[] line = randomLine(random);
            CanonicalRunTranscoder.Transcoded fast = transcoder.session().transcode(line, 0, line.length);
            Reference reference = reference(line);
            if (fast != null) {
                transcoded++;
                String text = new String(line, StandardCharsets.UTF_8);
                assertNotNull(reference.event, () -> "transcoded a line the reference refuses (" + reference.why
                        + "): " + text);
                assertEquals(reference.key, fast.key(), text);
                assertEquals(new String(reference.event, StandardCharsets.UTF_8),
                        new String(fast.event(), StandardCharsets.UTF_8), text);
                assertArrayEquals(reference.event, fast.event(), text);
            }
        }
        // not a test that passes by transcoding nothing: a good share of the lines are in the plain form
        assertTrue(transcoded > lines / 5, "transcoded " + transcoded + " of " + lines);
    }

    @Test
    void theBenchAndConnectorFormIsTranscoded() throws IOException {
        String line = "{\"id\":1224,\"Source\":\"PowerBI\",\"Objet\":\"workspaces\",\"Transformation\":"
                + "\"PowerBI_API_get_data\",\"Etat\":\"SUCCESS\",\"Debut\":\"2025-09-15 10:29:58.846\",\"Fin\":"
                + "\"2025-09-15 10:30:00.000\",\"Duree secondes\":1.154133,\"cpu_time\":0.11,\"memory_used\":5849088,"
                + "\"Description\":\"1928 objets ingérés\",\"zone\":\"1-Raw\",\"entreprise\":\"akonovia\"}";
        // and the indented form json.dump(indent=...) writes, once on one line
        String spaced = line.replace(":", ": ").replace(",\"", ", \"").replace("{", "{ ").replace("}", " }")
                .replace("10: ", "10:").replace("29: ", "29:").replace("30: ", "30:");
        for (String text : List.of(line, spaced)) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            CanonicalRunTranscoder.Transcoded fast = transcoder.session().transcode(bytes, 0, bytes.length);
            assertNotNull(fast, text);
            assertArrayEquals(reference(bytes).event, fast.event(), text);
            assertEquals("PowerBI", fast.key());
        }
    }

    @Test
    void onlyUtcTimesAreReadWithoutTheReference() {
        assertNull(CanonicalRunTranscoder.forZone(ZoneId.of("Europe/Paris"), THRESHOLDS, DESCRIPTION_MAX));
        assertNotNull(CanonicalRunTranscoder.forZone(ZoneId.of("UTC"), THRESHOLDS, DESCRIPTION_MAX));
        assertNotNull(CanonicalRunTranscoder.forZone(ZoneId.of("Z"), THRESHOLDS, DESCRIPTION_MAX));
    }

    /** What the transcoder assumes of {@link Double#toString} on this JDK, for the MiB figure. */
    @Test
    void hundredthsAreWrittenPlainByDoubleToStringBelowTheBound() {
        for (long k = 0; k < CanonicalRunTranscoder.PLAIN_HUNDREDTHS_BELOW; k++) {
            long cents = k % 100;
            String plain = (k / 100) + "." + (cents == 0 ? "0" : cents % 10 == 0 ? Long.toString(cents / 10)
                    : (cents < 10 ? "0" : "") + cents);
            String written = Double.toString(k / 100.0);
            if (!plain.equals(written)) {
                assertEquals(plain, written, "k = " + k);
            }
        }
    }

    /**
     * A file read with the transcoder gives the records it gives without: same count, positions and texts; the
     * transcoded ones valid with the reference's event; the others exactly as before. Line ends of every kind,
     * blank lines, BOMs and malformed UTF-8 included.
     */
    @Test
    void aFileReadWithTheTranscoderGivesTheSameRecords() throws IOException {
        Random random = new Random(5);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        String[] ends = {"\n", "\r\n", "\r", "\n\n", "\r\n  \r\n", "\n\uFEFF\n"};
        List<byte[]> written = new ArrayList<>();
        for (int n = 0; n < 5_000; n++) {
            byte[] line = randomLine(random);
            if (random.nextInt(50) == 0) {
                line = ("\uFEFF" + new String(line, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            }
            written.add(line);
            file.write(line);
            if (n < 4_999 || random.nextBoolean()) {
                file.write(ends[random.nextInt(ends.length)].getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] bytes = file.toByteArray();
        List<ParsedRecord> plain = read(bytes, null);
        List<ParsedRecord> fast = read(bytes, transcoder);
        assertEquals(plain.size(), fast.size());
        int transcoded = 0;
        for (int i = 0; i < plain.size(); i++) {
            ParsedRecord p = plain.get(i);
            ParsedRecord f = fast.get(i);
            assertEquals(p.position(), f.position());
            assertEquals(p.original(), f.original(), p.position());
            assertEquals(p.valid(), f.valid(), p.position());
            if (f.transcoded() != null) {
                transcoded++;
                assertArrayEquals(EventJson.write(restructurer.restructure(p.run())), f.transcoded().event(),
                        p.position());
                assertEquals(p.run().source(), f.transcoded().key());
            } else {
                assertEquals(p.run(), f.run(), p.position());
                assertEquals(p.rejection(), f.rejection(), p.position());
            }
        }
        assertTrue(transcoded > 1_000, "transcoded " + transcoded);
        // the byte lines split where BufferedReader splits, and count what it counted
        List<String> expected = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(bytes),
                StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                String text = !line.isEmpty() && line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
                if (!text.isBlank()) {
                    expected.add("line " + number + ": " + text);
                }
            }
        }
        List<String> actual = plain.stream().map(r -> r.position() + ": " + r.original()).toList();
        assertEquals(expected, actual);
        try (InputRecordStream stream = InputRecordStream.of("t.jsonl", new ByteArrayInputStream(bytes), validator)) {
            assertEquals(expected.size(), stream.countRemaining());
        }
    }

    private List<ParsedRecord> read(byte[] bytes, CanonicalRunTranscoder with) throws IOException {
        List<ParsedRecord> records = new ArrayList<>();
        try (InputRecordStream stream = InputRecordStream.of("t.jsonl", new ByteArrayInputStream(bytes), validator,
                with)) {
            stream.forEachRemaining(records::add);
        }
        return records;
    }

    private record Reference(String key, byte[] event, String why) {
    }

    /** The reference reading of one JSON Lines line: decoded, parsed, checked, restructured, written. */
    private Reference reference(byte[] line) throws IOException {
        try (InputRecordStream stream = InputRecordStream.of("t.jsonl", new ByteArrayInputStream(line), validator)) {
            if (!stream.hasNext()) {
                return new Reference(null, null, "blank");
            }
            ParsedRecord record = stream.next();
            if (!record.valid()) {
                return new Reference(null, null, record.rejection().toString());
            }
            return new Reference(record.run().source(), EventJson.write(restructurer.restructure(record.run())), null);
        }
    }

    // ---------------------------------------------------------------------------------------- random input lines

    private static byte[] randomLine(Random r) {
        List<String[]> members = new ArrayList<>();
        member(members, r, "id", () -> r.nextInt(4) == 0 ? pick(r, INTEGERS) : Integer.toString(r.nextInt(5000)), 10);
        member(members, r, "Source", () -> quoted(r, pick(r, TEXTS), "PowerBI"), 3);
        member(members, r, "Objet", () -> quoted(r, pick(r, TEXTS), "workspaces"), 3);
        member(members, r, "Transformation", () -> quoted(r, pick(r, TEXTS), "PowerBI_API_get_data"), 8);
        member(members, r, "Etat", () -> quoted(r, pick(r, ETATS), "SUCCESS"), 3);
        member(members, r, "Debut", () -> time(r), 6);
        member(members, r, "Fin", () -> time(r), 6);
        member(members, r, "Duree secondes", () -> r.nextInt(10) == 0 ? pick(r, DECIMALS) : decimal(r), 6);
        member(members, r, "cpu_time", () -> r.nextInt(10) == 0 ? pick(r, DECIMALS) : decimal(r), 6);
        member(members, r, "memory_used", () -> r.nextInt(10) == 0 ? pick(r, INTEGERS)
                : Long.toString(r.nextInt(4) == 0 ? r.nextLong(400_000_000_000L) : r.nextInt(300_000_000)), 6);
        member(members, r, "Description", () -> quoted(r, pick(r, TEXTS), "1928 objets ingérés"), 6);
        member(members, r, "zone", () -> quoted(r, pick(r, TEXTS), "1-Raw"), 6);
        member(members, r, "entreprise", () -> quoted(r, pick(r, TEXTS), "akonovia"), 6);
        if (r.nextInt(40) == 0) {
            members.add(new String[] {"extra", "1"});
        }
        if (r.nextInt(40) == 0 && !members.isEmpty()) {
            members.add(members.get(r.nextInt(members.size())));
        }
        if (r.nextInt(10) == 0) {
            Collections.shuffle(members, r);
        }
        String colon = r.nextInt(8) == 0 ? ": " : ":";
        String comma = r.nextInt(8) == 0 ? ", " : ",";
        StringBuilder text = new StringBuilder(r.nextInt(30) == 0 ? " {" : "{");
        for (int i = 0; i < members.size(); i++) {
            text.append(i == 0 ? "" : comma).append('"').append(members.get(i)[0]).append('"').append(colon)
                    .append(members.get(i)[1]);
        }
        text.append(r.nextInt(30) == 0 ? "} " : "}");
        if (r.nextInt(60) == 0) {
            text.append(r.nextBoolean() ? " {}" : "x");
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        if (r.nextInt(25) == 0) {
            // a byte that breaks UTF-8 (a lone continuation, a cut sequence, an overlong form, a surrogate)
            byte[][] bad = {{(byte) 0x80}, {(byte) 0xC3}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0,
                    (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}};
            byte[] insert = bad[r.nextInt(bad.length)];
            int at = r.nextInt(bytes.length);
            byte[] broken = new byte[bytes.length + insert.length];
            System.arraycopy(bytes, 0, broken, 0, at);
            System.arraycopy(insert, 0, broken, at, insert.length);
            System.arraycopy(bytes, at, broken, at + insert.length, bytes.length - at);
            bytes = broken;
        }
        return bytes;
    }

    private static void member(List<String[]> members, Random r, String name,
                               java.util.function.Supplier<String> value, int rarelyOdd) {
        int roll = r.nextInt(rarelyOdd * 12);
        if (roll == 0) {
            return;
        }
        if (roll == 1) {
            members.add(new String[] {name, "null"});
            return;
        }
        if (roll == 2) {
            members.add(new String[] {name, r.nextBoolean() ? "true" : "[1]"});
            return;
        }
        members.add(new String[] {name, value.get()});
    }

    /** Mostly the usual value, sometimes one of the odd ones. */
    private static String quoted(Random r, String odd, String usual) {
        return "\"" + (r.nextInt(16) == 0 ? odd : usual) + "\"";
    }

    private static String time(Random r) {
        int roll = r.nextInt(40);
        if (roll == 0) {
            return pick(r, TIME_NUMBERS);
        }
        if (roll < 4) {
            return "\"" + pick(r, TIMES) + "\"";
        }
        return String.format("\"%04d-%02d-%02d %02d:%02d:%02d.%03d\"", 1990 + r.nextInt(50), 1 + r.nextInt(12),
                1 + r.nextInt(28), r.nextInt(24), r.nextInt(60), r.nextInt(60), r.nextInt(1000));
    }

    private static String decimal(Random r) {
        double value = Math.round(r.nextDouble() * Math.pow(10, r.nextInt(9) - 2) * 1e6) / 1e6;
        return r.nextInt(5) == 0 ? Long.toString(r.nextInt(100)) : Double.toString(value);
    }

    private static String pick(Random r, String[] values) {
        return values[r.nextInt(values.length)];
    }
}
